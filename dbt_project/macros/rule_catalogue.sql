{#- GENERATED from expectations/catalogue.py by gongkai/warehouse/vocab_seed.py: do not edit.
    Regenerate: python -m gongkai.warehouse.vocab_seed -#}

{#- The printed balancing identities: they decide rpt_report_overview.balance_status. -#}
{% macro balancing_rule_ids() -%}
    {{ return(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']) }}
{%- endmacro %}

{#- The first report year under the revised 条例 (YEAR_RANGE). -#}
{% macro first_report_year() -%}
    {{ return(2019) }}
{%- endmacro %}
