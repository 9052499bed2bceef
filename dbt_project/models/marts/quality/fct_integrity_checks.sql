-- The integrity checks of every current report, computed here in the same shape as fct_rule_checks
-- (one row per report × check × scope, both sides, status, reason), validated by the GX suites and
-- stored in dq.rule_results:
--
--   COMPLETENESS  left = cells of the report's format version present in the record, right = expected
--   VALIDITY      per invalid cell: left = the value, right = the nearest valid value (a count is a
--                 non-negative integer, items_change an integer, an amount >= 0); a report without an
--                 invalid cell has one row with scope '*' and both sides 0
--   YEAR_RANGE    left = the report year, right = the nearest year in 2019 (the first year of the revised
--                 条例) .. the year the document was loaded (a report cannot cover a later year)
--   UNIQUENESS    left = current reports of the same publisher and year, right = 1
--
-- To add a check: one more CTE in the union, one entry in expectations/catalogue.py.
-- Incremental by document (macros/incremental_by_document.sql).
{{ config(**incremental_by_document(indexes=[
    {'columns': ['rule_check_key'], 'unique': True},
    {'columns': ['report_key']},
])) }}

with

vocabulary as (

    select
        format_version,
        table_code,
        row_code,
        column_code,
        value_kind,
        display_order
    from {{ ref('int_table_sections') }}

),

expected as (

    select
        format_version,
        count(*) as cells_expected
    from vocabulary
    group by format_version

),

documents as (

    select
        current_documents.*,
        case
            when current_documents.publisher_name is not null and current_documents.report_year is not null
                then count(*) over (partition by current_documents.publisher_name, current_documents.report_year)
        end as current_reports
    from {{ ref('int_documents_current') }} as current_documents

),

documents_to_check as (

    select * from documents
    where {{ documents_to_build_condition('documents') }}

),

cells as not materialized (

    -- read twice (present, checked_values): inlined, not materialized
    select
        cells.document_id,
        cells.table_code,
        cells.row_code,
        cells.column_code,
        cells.cell_value,
        documents_to_check.format_version
    from {{ ref('stg_raw__cells') }} as cells
    inner join documents_to_check
        on cells.document_id = documents_to_check.document_id
    where {{ in_incremental_build(
        'cells.document_id = any(array(select to_check.document_id from documents_to_check as to_check))'
    ) }}

),

present as (

    select
        cells.document_id,
        count(*) as cells_present
    from cells
    inner join vocabulary
        on
            cells.format_version = vocabulary.format_version
            and cells.table_code = vocabulary.table_code
            and cells.row_code = vocabulary.row_code
            and cells.column_code = vocabulary.column_code
    group by cells.document_id

),

incomplete as (

    select
        documents_to_check.document_id,
        expected.cells_expected,
        coalesce(present.cells_present, 0) as cells_present
    from documents_to_check
    inner join expected
        on documents_to_check.format_version = expected.format_version
    left join present
        on documents_to_check.document_id = present.document_id
    where coalesce(present.cells_present, 0) < expected.cells_expected

),

absent as (

    -- the first absent cells of the few incomplete reports, for the reason
    select
        incomplete.document_id,
        (array_agg(
            vocabulary.table_code || '.' || vocabulary.row_code || '.' || vocabulary.column_code
            order by vocabulary.display_order
        ))[1:8] as first_absent
    from incomplete
    inner join documents_to_check
        on incomplete.document_id = documents_to_check.document_id
    inner join vocabulary
        on documents_to_check.format_version = vocabulary.format_version
    left join {{ ref('stg_raw__cells') }} as cells
        on
            incomplete.document_id = cells.document_id
            and vocabulary.table_code = cells.table_code
            and vocabulary.row_code = cells.row_code
            and vocabulary.column_code = cells.column_code
    where cells.document_id is null
    group by incomplete.document_id

),

completeness as (

    select
        documents_to_check.document_id,
        'COMPLETENESS' as rule_id,
        'report' as rule_scope,
        coalesce(present.cells_present, 0) as left_value,
        expected.cells_expected as right_value,
        case
            when expected.cells_expected is null then 'UNCERTAIN'
            when coalesce(present.cells_present, 0) = expected.cells_expected then 'PASS'
            else 'FAIL'
        end as status,
        case
            when expected.cells_expected is null
                then 'unknown format version ' || coalesce(documents_to_check.format_version, '(none)')
            when coalesce(present.cells_present, 0) < expected.cells_expected
                then
                    (expected.cells_expected - coalesce(present.cells_present, 0)) || ' of '
                    || expected.cells_expected || ' cells absent: '
                    || array_to_string(absent.first_absent, ', ')
                    || case
                        when expected.cells_expected - coalesce(present.cells_present, 0) > 8 then ' …'
                        else ''
                    end
        end as reason
    from documents_to_check
    left join expected
        on documents_to_check.format_version = expected.format_version
    left join present
        on documents_to_check.document_id = present.document_id
    left join absent
        on documents_to_check.document_id = absent.document_id

),

checked_values as (

    -- every cell with a value, with its kind and the nearest valid value
    select
        cells.document_id,
        cells.table_code || '.' || cells.row_code || '.' || cells.column_code as rule_scope,
        cells.cell_value,
        kinds.value_kind,
        case kinds.value_kind
            when 'change' then trunc(cells.cell_value)
            when 'amount' then greatest(cells.cell_value, 0)
            else greatest(trunc(cells.cell_value), 0)
        end as valid_value
    from cells
    left join vocabulary as kinds
        on
            cells.format_version = kinds.format_version
            and cells.table_code = kinds.table_code
            and cells.row_code = kinds.row_code
            and cells.column_code = kinds.column_code
    where cells.cell_value is not null

),

invalid_values as (

    select
        document_id,
        'VALIDITY' as rule_id,
        rule_scope,
        cell_value as left_value,
        valid_value as right_value,
        'FAIL' as status,
        coalesce(value_kind, 'count') || ' ' || cell_value || ': '
        || concat_ws(
            ', ',
            case when cell_value < 0 and value_kind is distinct from 'change' then 'negative' end,
            case when cell_value <> trunc(cell_value) and value_kind is distinct from 'amount' then 'not an integer' end
        ) as reason
    from checked_values
    where cell_value <> valid_value

),

reports_with_invalid_values as (

    select distinct document_id from invalid_values

),

validity as (

    select * from invalid_values
    union all
    select
        documents_to_check.document_id,
        'VALIDITY' as rule_id,
        '*' as rule_scope,
        0 as left_value,
        0 as right_value,
        'PASS' as status,
        null as reason
    from documents_to_check
    left join reports_with_invalid_values
        on documents_to_check.document_id = reports_with_invalid_values.document_id
    where reports_with_invalid_values.document_id is null

),

year_range as (

    select
        document_id,
        'YEAR_RANGE' as rule_id,
        'report' as rule_scope,
        report_year as left_value,
        least(greatest(report_year, {{ first_report_year() }}), extract(year from loaded_at)) as right_value,
        case
            when report_year is null then 'UNCERTAIN'
            when report_year between {{ first_report_year() }} and extract(year from loaded_at) then 'PASS'
            else 'FAIL'
        end as status,
        case
            when report_year is null then 'report year unknown'
            when report_year not between {{ first_report_year() }} and extract(year from loaded_at)
                then
                    'year ' || report_year || ' outside {{ first_report_year() }}..'
                    || extract(year from loaded_at) || ' (the year it was loaded)'
        end as reason
    from documents_to_check

),

uniqueness as (

    select
        document_id,
        'UNIQUENESS' as rule_id,
        'report' as rule_scope,
        current_reports as left_value,
        1 as right_value,
        case
            when current_reports is null then 'UNCERTAIN'
            when current_reports = 1 then 'PASS'
            else 'FAIL'
        end as status,
        case
            when current_reports is null then 'publisher or year unknown'
            when current_reports > 1 then current_reports || ' current reports for this publisher and year'
        end as reason
    from documents_to_check

),

checks as (

    select * from completeness
    union all
    select * from validity
    union all
    select * from year_range
    union all
    select * from uniqueness

)

select
    {{ surrogate_key(['documents_to_check.report_key', 'checks.rule_id', 'checks.rule_scope']) }}
        as rule_check_key,
    documents_to_check.report_key,
    documents_to_check.document_id,
    documents_to_check.government_unit_key,
    documents_to_check.publisher_name,
    documents_to_check.report_year,
    documents_to_check.format_version,
    checks.rule_id,
    checks.rule_scope,
    cast(checks.left_value as double precision) as left_value,
    cast(checks.right_value as double precision) as right_value,
    checks.status,
    checks.reason,
    cast(null as integer) as cells_needed,
    cast(null as integer) as cells_unread,
    0 as cells_recovered,
    cast(null as bigint) as compared_document_id,
    documents_to_check.loaded_at
from checks
inner join documents_to_check
    on checks.document_id = documents_to_check.document_id
