-- One row per report (current version of each publisher's report for a year).
{{ config(indexes=[
    {'columns': ['report_key'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
]) }}

with

documents as (

    select * from {{ ref('int_documents_current') }}

),

units as (

    select * from {{ ref('dim_government_unit') }}

),

applications as (

    select * from {{ ref('int_applications_pivoted') }}
    where applicant_type = 'total'

),

review as (

    select
        report_key,
        max(total) filter (where proceeding = 'administrative_review') as review_total,
        case
            when count(total) filter (where proceeding like 'litigation%') = 2
                then sum(total) filter (where proceeding like 'litigation%')
        end as litigation_total,
        max(corrected) filter (where proceeding = 'administrative_review') as review_corrected,
        case
            when count(corrected) filter (where proceeding like 'litigation%') = 2
                then sum(corrected) filter (where proceeding like 'litigation%')
        end as litigation_corrected
    from {{ ref('int_review_litigation_pivoted') }}
    group by report_key

),

checks as (

    -- the printed identities decide the balance status; the same rows are validated by GX and
    -- stored in dq.rule_results, so BI and the alert e-mail count the same results
    select
        report_key,
        count(*) filter (where status = 'PASS') as rules_passed,
        count(*) filter (where status = 'FAIL') as rules_failed,
        count(*) filter (where status = 'UNCERTAIN') as rules_uncertain,
        count(*) as rule_checks
    from {{ ref('fct_rule_checks') }}
    where rule_id in ({{ sql_list(balancing_rule_ids()) }})
    group by report_key

)

select
    documents.report_key,
    documents.document_id,
    documents.government_unit_key,
    coalesce(units.publisher_name, '（未知）') as publisher_name,
    units.level,
    documents.report_year,
    documents.format_version,
    documents.published_on,
    {{ whole_count('applications.new_received') }} as received,
    {{ whole_count('applications.carried_over') }} as carried_over,
    {{ whole_count('applications.total_handled') }} as handled,
    {{ whole_count('applications.carried_forward') }} as carried_forward,
    {{ whole_count('review.review_total') }} as review_total,
    {{ whole_count('review.litigation_total') }} as litigation_total,
    case
        when coalesce(checks.rules_failed, 0) > 0 then 'unbalanced'
        when checks.rule_checks > 0 and checks.rules_uncertain = 0 then 'balanced'
        else 'uncertain'
    end as balance_status,
    cast(coalesce(checks.rules_failed, 0) as integer) as rules_failed,
    cast(coalesce(checks.rules_uncertain, 0) as integer) as rules_uncertain,
    documents.issue_count,
    documents.source_url,
    documents.sha256,
    documents.extractor_version,
    documents.loaded_at,
    -- the outcomes of section 三 by group, the same in the 2019 and 2021 forms (docs: rpt_report_overview)
    {{ whole_count('applications.granted') }} as granted,  -- noqa: RF04
    {{ whole_count('applications.partially_granted') }} as partially_granted,
    {{ whole_count(sum_if_all_known(prefixed('applications.', withheld_row_codes()))) }} as withheld,
    {{ whole_count(sum_if_all_known(prefixed('applications.', unavailable_row_codes()))) }} as unavailable,
    {{ whole_count(sum_if_all_known(prefixed('applications.', not_processed_row_codes()))) }} as not_processed,
    -- （六）其他处理: one row in 2019 (and some 2021 reports), three sub-rows in 2021
    {{ whole_count('coalesce(applications.' ~ other_single_row_code() ~ ', '
        ~ sum_if_all_known(prefixed('applications.', other_split_row_codes())) ~ ')') }} as other_handled,
    {{ whole_count('review.review_corrected') }} as review_corrected,
    {{ whole_count('review.litigation_corrected') }} as litigation_corrected,
    cast(coalesce(checks.rules_passed, 0) as integer) as rules_passed,
    units.province,
    units.city,
    units.county,
    units.county_code
from documents
left join units
    on documents.government_unit_key = units.government_unit_key
left join applications
    on documents.report_key = applications.report_key
left join review
    on documents.report_key = review.report_key
left join checks
    on documents.report_key = checks.report_key
