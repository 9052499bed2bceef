{#- A count as an integer: the whole number, or null when the cell holds a fraction (a wrong number:
    VALIDITY fails on it; a rounded one would look right). Amounts (万元) keep their decimals. -#}
{% macro whole_count(expression) -%}
    case when {{ expression }} = trunc({{ expression }}) then cast({{ expression }} as bigint) end
{%- endmacro %}

{#- The sum of `expressions` when every one is known, else null (a blank is never 0). -#}
{% macro sum_if_all_known(expressions) -%}
    case when {% for e in expressions %}{{ e }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
        then {% for e in expressions %}{{ e }}{% if not loop.last %} + {% endif %}{% endfor %}
    end
{%- endmacro %}

{#- `prefix` before each of `names` (a table alias before column names). -#}
{% macro prefixed(prefix, names) -%}
    {%- set out = [] -%}
    {%- for name in names -%}
        {%- do out.append(prefix ~ name) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
