{{ config(materialized='table') }}

-- Balancing identities R1–R6 (shared/docs/format.md), one row per report × rule instance:
-- 'pass', 'fail' (every needed cell present and the sides differ) or 'uncertain' (a cell is null).
with

applications as (

    select * from {{ ref('int_applications_pivoted') }}
    where applicant_type <> 'total'

),

application_rows as (

    -- straight from the cells: R3 needs no labels, and this is the largest input
    select
        documents.report_key,
        cells.row_code,
        cells.column_code,
        cells.cell_value,
        cells.cell_status
    from {{ ref('stg_raw__cells') }} as cells
    inner join {{ ref('int_documents_current') }} as documents
        on cells.document_id = documents.document_id
    where cells.table_code = 'applications'

),

review as (

    select * from {{ ref('int_review_litigation_pivoted') }}

),

documents as (

    select * from {{ ref('int_documents_current') }}

),

r1 as (

    select
        report_key,
        'R1' as rule_id,
        applicant_type as rule_scope,
        new_received + carried_over as lhs,
        total_handled + carried_forward as rhs
    from applications

),

r2 as (

    select
        applications.report_key,
        'R2' as rule_id,
        applications.applicant_type as rule_scope,
        applications.total_handled as lhs,
        applications.granted + applications.partially_granted
        + applications.withheld_state_secret + applications.withheld_prohibited_by_law
        + applications.withheld_security_stability + applications.withheld_third_party_rights
        + applications.withheld_internal_affairs + applications.withheld_process_info
        + applications.withheld_enforcement_files + applications.withheld_admin_inquiry
        + applications.unavailable_not_held + applications.unavailable_needs_creation
        + applications.unavailable_unclear
        + applications.not_processed_petition + applications.not_processed_duplicate
        + applications.not_processed_publication + applications.not_processed_excessive
        + applications.not_processed_confirmation
        + case
            when
                documents.format_version = '2019'
                or (
                    applications.other_no_correction is null
                    and applications.other_unpaid_fee is null
                    and applications.other_misc is null
                )
                then applications.other_handling
            else
                applications.other_no_correction + applications.other_unpaid_fee + applications.other_misc
        end as rhs
    from applications
    inner join documents
        on applications.report_key = documents.report_key

),

r3 as (

    -- rows printed at all (not every cell `missing`)
    select
        report_key,
        'R3' as rule_id,
        row_code as rule_scope,
        case
            when count(*) filter (where column_code = 'total' and cell_value is not null) = 1
                then max(cell_value) filter (where column_code = 'total')
        end as lhs,
        case
            when count(*) filter (where column_code <> 'total' and cell_value is not null) = 6
                then sum(cell_value) filter (where column_code <> 'total')
        end as rhs
    from application_rows
    group by report_key, row_code
    having bool_or(cell_status <> 'missing')

),

r4_r6 as (

    select
        report_key,
        case proceeding
            when 'administrative_review' then 'R4'
            when 'litigation_direct' then 'R5'
            else 'R6'
        end as rule_id,
        proceeding as rule_scope,
        total as lhs,
        upheld + corrected + other_result + pending as rhs
    from review

),

all_checks as (

    select * from r1
    union all
    select * from r2
    union all
    select * from r3
    union all
    select * from r4_r6

)

select
    report_key,
    rule_id,
    rule_scope,
    lhs,
    rhs,
    case
        when lhs is null or rhs is null then 'uncertain'
        when lhs = rhs then 'pass'
        else 'fail'
    end as outcome
from all_checks
