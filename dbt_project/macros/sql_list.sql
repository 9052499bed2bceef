{#- A list of codes as SQL string literals: ['a', 'b'] → 'a', 'b' (for `in (...)`). -#}
{% macro sql_list(values) -%}
    {%- for value in values %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}
