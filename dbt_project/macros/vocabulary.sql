{#- Row and column codes of the pivoted facts (shared/docs/format.md). -#}
{% macro application_row_codes() -%}
    {{ return([
        'new_received', 'carried_over', 'granted', 'partially_granted',
        'withheld_state_secret', 'withheld_prohibited_by_law', 'withheld_security_stability',
        'withheld_third_party_rights', 'withheld_internal_affairs', 'withheld_process_info',
        'withheld_enforcement_files', 'withheld_admin_inquiry',
        'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear',
        'not_processed_petition', 'not_processed_duplicate', 'not_processed_publication',
        'not_processed_excessive', 'not_processed_confirmation',
        'other_handling', 'other_no_correction', 'other_unpaid_fee', 'other_misc',
        'total_handled', 'carried_forward'
    ]) }}
{%- endmacro %}

{% macro review_result_codes() -%}
    {{ return(['upheld', 'corrected', 'other_result', 'pending', 'total']) }}
{%- endmacro %}

{% macro proactive_column_codes() -%}
    {{ return([
        'made_this_year', 'published_this_year', 'total_published',
        'issued_this_year', 'repealed_this_year', 'in_force',
        'items_last_year', 'items_change', 'decisions',
        'fee_amount', 'procurement_items', 'procurement_amount'
    ]) }}
{%- endmacro %}
