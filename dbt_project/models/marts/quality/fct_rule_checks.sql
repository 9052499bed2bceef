-- The rules of shared/docs/format.md (R1–R8), computed once, here: one row per report × rule × scope
-- with both sides, the status and its reason. The GX suites validate these rows and the
-- check run stores them in dq.rule_results; rpt_report_overview counts them.
--
-- The identities are stated in int_rule_terms (which cells make up each side of each rule); the
-- evaluation here is shared. A side is known only when every one of its cells is read (a blank is
-- never 0); a rule is UNCERTAIN when a cell is not read, or was recovered by the identities (they cannot
-- also prove that the report balances), FAIL when both sides are known and differ, else PASS.
-- To add a rule made of cells: one more CTE in int_rule_terms, and one entry in expectations/catalogue.py;
-- a rule of another shape adds its rows, in this model's columns, to the final select with a union:
-- R8 (prose against tables) is evaluated in int_prose_checks.
--
-- Incremental by document (macros/incremental_by_document.sql); a report is also re-checked when the
-- same publisher's report of the year before changes (R7 compares the two).
{{ config(**incremental_by_document(indexes=[
    {'columns': ['rule_check_key'], 'unique': True},
    {'columns': ['compared_document_id']},
    {'columns': ['report_key']},
], also_column='compared_document_id')) }}

with

scopes as (

    -- what each rule instance needs, per format version and way of printing （六）其他处理
    select
        terms.format_version,
        printed.other_rows_variant,
        terms.rule_id,
        terms.rule_scope,
        max(terms.years_back) as years_back,
        count(*) as cells_needed,
        count(*) filter (where terms.side = 'left') as left_needed,
        count(*) filter (where terms.side = 'right') as right_needed
    from {{ ref('int_rule_terms') }} as terms
    cross join (values ('single_other'), ('split_other')) as printed (other_rows_variant)
    where terms.variant in ('any', printed.other_rows_variant)
    group by terms.format_version, printed.other_rows_variant, terms.rule_id, terms.rule_scope
    having
        count(*) filter (where terms.side = 'left') > 0
        and count(*) filter (where terms.side = 'right') > 0

),

documents as (

    -- current reports, with the same publisher's report of the year before (R7)
    select
        document_id,
        report_key,
        government_unit_key,
        publisher_name,
        report_year,
        format_version,
        loaded_at,
        case
            when
                publisher_name is not null
                and lag(report_year) over by_publisher = report_year - 1
                then lag(document_id) over by_publisher
        end as previous_document_id
    from {{ ref('int_documents_current') }}
    window by_publisher as (partition by publisher_name order by report_year)

),

changed_documents as (

    select document_id from documents
    where {{ documents_to_build_condition('documents') }}

),

documents_to_check as (

    -- the changed reports, and the reports of the year after them (R7 compares the two)
    select * from documents
    where
        document_id in (select changed_documents.document_id from changed_documents)
        or previous_document_id in (select changed_documents.document_id from changed_documents)

),

other_rows as (

    -- which （六）其他处理 rows each report fills in
    select
        document_id,
        bool_or(row_code = '{{ other_single_row_code() }}' and cell_value is not null) as single_read,
        bool_or(row_code in ({{ sql_list(other_split_row_codes()) }}) and cell_value is not null) as split_read
    from {{ ref('stg_raw__cells') }}
    where
        table_code = 'applications'
        and row_code in ({{ sql_list([other_single_row_code()] + other_split_row_codes()) }})
        and {{ in_incremental_build(
            'document_id = any(array(select documents_to_check.document_id from documents_to_check))'
        ) }}
    group by document_id

),

reports as (

    -- R2 and R3 use the single （六）其他处理 row for the 2019 format and for a 2021 report that kept it
    -- (no sub-row has a value, the single row has); otherwise the three sub-rows
    select
        documents_to_check.*,
        case
            when
                documents_to_check.format_version = '2019'
                or (not coalesce(other_rows.split_read, false) and coalesce(other_rows.single_read, false))
                then 'single_other'
            else 'split_other'
        end as other_rows_variant
    from documents_to_check
    left join other_rows
        on documents_to_check.document_id = other_rows.document_id

),

cell_sources as (

    -- whose cells a report's rules read: its own, and (years_back = 1) the year before's
    select
        document_id,
        document_id as source_document_id,
        format_version,
        other_rows_variant,
        0 as years_back
    from reports
    union all
    select
        document_id,
        previous_document_id as source_document_id,
        format_version,
        other_rows_variant,
        1 as years_back
    from reports
    where previous_document_id is not null

),

instances as (

    -- one row per rule instance of each report: what it needs (no cell)
    select
        reports.document_id,
        scopes.rule_id,
        scopes.rule_scope,
        reports.report_key,
        reports.government_unit_key,
        reports.publisher_name,
        reports.report_year,
        reports.format_version,
        reports.loaded_at,
        scopes.cells_needed,
        scopes.left_needed,
        scopes.right_needed,
        case when scopes.years_back = 1 then reports.previous_document_id end as compared_document_id,
        cast(null as text) as side,
        cast(null as numeric) as cell_value,
        cast(null as text) as cell_status,
        cast(null as text) as term_name,
        cast(null as integer) as term_order
    from reports
    inner join scopes
        on
            reports.format_version = scopes.format_version
            and reports.other_rows_variant = scopes.other_rows_variant
    where scopes.years_back = 0 or reports.previous_document_id is not null

),

found as (

    -- one row per cell a rule instance finds
    select
        cell_sources.document_id,
        terms.rule_id,
        terms.rule_scope,
        cast(null as text) as report_key,
        cast(null as text) as government_unit_key,
        cast(null as text) as publisher_name,
        cast(null as integer) as report_year,
        cast(null as text) as format_version,
        cast(null as timestamptz) as loaded_at,
        cast(null as bigint) as cells_needed,
        cast(null as bigint) as left_needed,
        cast(null as bigint) as right_needed,
        cast(null as bigint) as compared_document_id,
        terms.side,
        cells.cell_value,
        cells.cell_status,
        terms.term_name,
        terms.term_order
    from {{ ref('stg_raw__cells') }} as cells
    inner join cell_sources
        on cells.document_id = cell_sources.source_document_id
    inner join {{ ref('int_rule_terms') }} as terms
        on
            cell_sources.format_version = terms.format_version
            and cell_sources.years_back = terms.years_back
            and cells.table_code = terms.table_code
            and cells.row_code = terms.row_code
            and cells.column_code = terms.column_code
            and terms.variant in ('any', cell_sources.other_rows_variant)
    where {{ in_incremental_build(
        'cells.document_id = any(array(select sources.source_document_id from cell_sources as sources))'
    ) }}

),

evaluated as (

    -- instances and their cells aggregated together (no join of two large relations: flat plans)
    select
        document_id,
        rule_id,
        rule_scope,
        max(report_key) as report_key,
        max(government_unit_key) as government_unit_key,
        max(publisher_name) as publisher_name,
        max(report_year) as report_year,
        max(format_version) as format_version,
        max(loaded_at) as loaded_at,
        max(compared_document_id) as compared_document_id,
        max(cells_needed) as cells_needed,
        max(left_needed) as left_needed,
        max(right_needed) as right_needed,
        count(side) as cells_found,
        count(cell_value) filter (where side = 'left') as left_read,
        count(cell_value) filter (where side = 'right') as right_read,
        sum(cell_value) filter (where side = 'left') as left_sum,
        sum(cell_value) filter (where side = 'right') as right_sum,
        count(*) filter (where cell_status = 'recovered') as cells_recovered,
        -- the few cells not read or recovered, as '<printed position>|<name>' (no ordered aggregate:
        -- that would force a sort of every row; they are put in printed order below)
        array_agg(lpad(cast(term_order as text), 4, '0') || '|' || term_name || ' (' || cell_status || ')') filter (
            where side is not null and cell_value is null
        ) as unread_cells,
        array_agg(lpad(cast(term_order as text), 4, '0') || '|' || term_name) filter (
            where cell_status = 'recovered'
        ) as recovered_cells
    from (
        select * from instances
        union all
        select * from found
    ) as instance_rows
    group by document_id, rule_id, rule_scope
    having count(cells_needed) = 1  -- an instance of the report (not a cell of an unused variant)

),

sides as (

    select
        evaluated.*,
        -- in printed order (only for the rare rule instances that have such cells)
        case
            when evaluated.unread_cells is not null
                then array(
                    select substr(unread.cell, 6) from unnest(evaluated.unread_cells) as unread (cell)
                    order by unread.cell
                )
        end as unread_names,
        case
            when evaluated.recovered_cells is not null
                then array(
                    select substr(recovered.cell, 6) from unnest(evaluated.recovered_cells) as recovered (cell)
                    order by recovered.cell
                )
        end as recovered_names,
        case when evaluated.left_read = evaluated.left_needed then evaluated.left_sum end as left_value,
        case when evaluated.right_read = evaluated.right_needed then evaluated.right_sum end as right_value,
        evaluated.cells_needed - evaluated.left_read - evaluated.right_read as cells_unread,
        evaluated.cells_needed - evaluated.cells_found as cells_absent
    from evaluated

),

cell_rules as (

    select
        {{ surrogate_key(['report_key', 'rule_id', 'rule_scope']) }} as rule_check_key,
        report_key,
        document_id,
        government_unit_key,
        publisher_name,
        report_year,
        format_version,
        rule_id,
        rule_scope,
        cast(left_value as double precision) as left_value,
        cast(right_value as double precision) as right_value,
        case
            when cells_unread > 0 or cells_recovered > 0 then 'UNCERTAIN'
            when left_value = right_value then 'PASS'
            else 'FAIL'
        end as status,
        case
            when cells_unread > 0 or cells_recovered > 0
                then concat_ws(
                    '; ',
                    'not read: ' || nullif(array_to_string(unread_names[1:5], ', '), '')
                    || case
                        when cardinality(unread_names) > 5 then ' and ' || cardinality(unread_names) - 5 || ' more'
                        else ''
                    end,
                    case when cells_absent > 0 then cells_absent || ' cells absent from the record' end,
                    'relies on cells recovered by identities: ' || nullif(array_to_string(recovered_names, ', '), '')
                )
            when left_value <> right_value then left_value || ' ≠ ' || right_value
        end as reason,
        cast(cells_needed as integer) as cells_needed,
        cast(cells_unread as integer) as cells_unread,
        cast(cells_recovered as integer) as cells_recovered,
        compared_document_id,
        loaded_at
    from sides

)

select * from cell_rules
union all
-- R8, prose against tables (int_prose_checks), for the reports being checked
select prose.*
from {{ ref('int_prose_checks') }} as prose
where prose.document_id in (select documents_to_check.document_id from documents_to_check)
