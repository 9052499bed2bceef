{#- A surrogate key: md5 of the fields cast to text, nulls as '_null_', joined by '-'
    (the same recipe as dbt_utils.generate_surrogate_key). -#}
{% macro surrogate_key(fields) -%}
    md5(
        {%- for field in fields %}
        coalesce(cast({{ field }} as text), '_null_'){% if not loop.last %} || '-' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
