{#- The （三）不予公开 rows (the reasons a request was refused), from the generated vocabulary. -#}
{% macro withheld_row_codes() -%}
    {%- set codes = [] -%}
    {%- for code in outcome_row_codes() if code.startswith('withheld_') -%}
        {%- do codes.append(code) -%}
    {%- endfor -%}
    {{ return(codes) }}
{%- endmacro %}
