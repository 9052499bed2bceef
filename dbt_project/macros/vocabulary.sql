{#- GENERATED from extractors/vocab.py by gongkai/warehouse/vocab_seed.py: do not edit.
    Regenerate: python -m gongkai.warehouse.vocab_seed -#}

{#- Rows of section 三 (applications) of either format, in printed order. -#}
{% macro application_row_codes() -%}
    {{ return([
        'new_received', 'carried_over', 'granted', 'partially_granted', 'withheld_state_secret',
        'withheld_prohibited_by_law', 'withheld_security_stability', 'withheld_third_party_rights',
        'withheld_internal_affairs', 'withheld_process_info', 'withheld_enforcement_files',
        'withheld_admin_inquiry', 'unavailable_not_held', 'unavailable_needs_creation',
        'unavailable_unclear', 'not_processed_petition', 'not_processed_duplicate',
        'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation',
        'other_handling', 'other_no_correction', 'other_unpaid_fee', 'other_misc', 'total_handled',
        'carried_forward'
    ]) }}
{%- endmacro %}

{#- Columns of section 三: the six applicant types and 总计 (total). -#}
{% macro applicant_column_codes() -%}
    {{ return([
        'natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org',
        'legal_service_org', 'other_org', 'total'
    ]) }}
{%- endmacro %}

{#- The six applicant columns whose sum is the total column (R3). -#}
{% macro applicant_part_codes() -%}
    {{ return([
        'natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org',
        'legal_service_org', 'other_org'
    ]) }}
{%- endmacro %}

{#- The outcome rows of R2 printed the same way in every report: 予以公开 … 不予处理. -#}
{% macro outcome_row_codes() -%}
    {{ return([
        'granted', 'partially_granted', 'withheld_state_secret', 'withheld_prohibited_by_law',
        'withheld_security_stability', 'withheld_third_party_rights', 'withheld_internal_affairs',
        'withheld_process_info', 'withheld_enforcement_files', 'withheld_admin_inquiry',
        'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear',
        'not_processed_petition', 'not_processed_duplicate', 'not_processed_publication',
        'not_processed_excessive', 'not_processed_confirmation'
    ]) }}
{%- endmacro %}

{#- （六）其他处理 printed as one row (2019 format; some 2021 reports keep it). -#}
{% macro other_single_row_code() -%}
    {{ return('other_handling') }}
{%- endmacro %}

{#- （六）其他处理 printed as its three sub-rows (2021 format). -#}
{% macro other_split_row_codes() -%}
    {{ return(['other_no_correction', 'other_unpaid_fee', 'other_misc']) }}
{%- endmacro %}

{#- Columns of section 四 (review_litigation), total last. -#}
{% macro review_result_codes() -%}
    {{ return(['upheld', 'corrected', 'other_result', 'pending', 'total']) }}
{%- endmacro %}

{#- The four results of section 四 whose sum is the total column (R4–R6). -#}
{% macro review_part_codes() -%}
    {{ return(['upheld', 'corrected', 'other_result', 'pending']) }}
{%- endmacro %}

{#- Rows of section 四: administrative review and the two kinds of litigation. -#}
{% macro proceeding_codes() -%}
    {{ return(['administrative_review', 'litigation_direct', 'litigation_after_review']) }}
{%- endmacro %}

{#- Columns of section 二 (proactive) of either format, block by block. -#}
{% macro proactive_column_codes() -%}
    {{ return([
        'made_this_year', 'published_this_year', 'total_published', 'issued_this_year',
        'repealed_this_year', 'in_force', 'items_last_year', 'items_change', 'decisions',
        'fee_amount', 'procurement_items', 'procurement_amount'
    ]) }}
{%- endmacro %}

{#- Columns holding amounts (万元, decimals); every other column holds whole numbers. -#}
{% macro amount_column_codes() -%}
    {{ return(['procurement_amount', 'fee_amount']) }}
{%- endmacro %}

{#- The rows of （三）不予公开 (section 三), in printed order. -#}
{% macro withheld_row_codes() -%}
    {{ return([
        'withheld_state_secret', 'withheld_prohibited_by_law', 'withheld_security_stability',
        'withheld_third_party_rights', 'withheld_internal_affairs', 'withheld_process_info',
        'withheld_enforcement_files', 'withheld_admin_inquiry'
    ]) }}
{%- endmacro %}

{#- The rows of （四）无法提供 (section 三), in printed order. -#}
{% macro unavailable_row_codes() -%}
    {{ return(['unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear']) }}
{%- endmacro %}

{#- The rows of （五）不予处理 (section 三), in printed order. -#}
{% macro not_processed_row_codes() -%}
    {{ return([
        'not_processed_petition', 'not_processed_duplicate', 'not_processed_publication',
        'not_processed_excessive', 'not_processed_confirmation'
    ]) }}
{%- endmacro %}
