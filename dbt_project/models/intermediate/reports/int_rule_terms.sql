-- The balancing identities of shared/docs/format.md as data: one row per format version × rule ×
-- scope × cell, with the side of the identity the cell is on. Each rule is one CTE; fct_rule_checks
-- evaluates them all the same way. A small table (about 800 rows), so the planner knows its size.
--
-- `term_name` names the cell in reasons (the varying code: a row for per-column rules, a column for
-- per-row rules); `term_order` is its printed position; `variant` says which way of printing
-- （六）其他处理 the cell belongs to ('single_other', 'split_other' or 'any'); `years_back` = 1 reads
-- the cell from the same publisher's report of the year before (R7).
{{ config(materialized='table') }}

with

cells as (

    -- one row per format version × cell, with the way of printing （六）其他处理 a row belongs to
    select
        format_version,
        table_code,
        row_code,
        column_code,
        display_order as term_order,
        case
            when row_code = '{{ other_single_row_code() }}' then 'single_other'
            when row_code in ({{ sql_list(other_split_row_codes()) }}) then 'split_other'
            else 'any'
        end as variant
    from {{ ref('int_table_sections') }}

),

r1 as (

    -- R1, per applications column: new_received + carried_over = total_handled + carried_forward
    select
        cells.*,
        'R1' as rule_id,
        cells.column_code as rule_scope,
        cells.row_code as term_name,
        0 as years_back,
        case when cells.row_code in ('new_received', 'carried_over') then 'left' else 'right' end as side
    from cells
    where
        cells.table_code = 'applications'
        and cells.row_code in ('new_received', 'carried_over', 'total_handled', 'carried_forward')

),

r2 as (

    -- R2, per applications column: total_handled = the sum of the outcome rows, （六）其他处理 counted
    -- as one row or as its three sub-rows, as the report prints it
    select
        cells.*,
        'R2' as rule_id,
        cells.column_code as rule_scope,
        cells.row_code as term_name,
        0 as years_back,
        case when cells.row_code = 'total_handled' then 'left' else 'right' end as side
    from cells
    where
        cells.table_code = 'applications'
        and cells.row_code in (
            'total_handled',
            {{ sql_list(outcome_row_codes() + [other_single_row_code()] + other_split_row_codes()) }}
        )

),

r3 as (

    -- R3, per applications row: total = the sum of the six applicant columns
    select
        cells.*,
        'R3' as rule_id,
        cells.row_code as rule_scope,
        cells.column_code as term_name,
        0 as years_back,
        case when cells.column_code = 'total' then 'left' else 'right' end as side
    from cells
    where
        cells.table_code = 'applications'
        and cells.column_code in ('total', {{ sql_list(applicant_part_codes()) }})

),

r4_r6 as (

    -- R4 (行政复议), R5 (行政诉讼 未经复议直接起诉), R6 (行政诉讼 复议后起诉), per proceeding:
    -- total = upheld + corrected + other_result + pending
    select
        cells.*,
        case cells.row_code
            when 'administrative_review' then 'R4'
            when 'litigation_direct' then 'R5'
            when 'litigation_after_review' then 'R6'
        end as rule_id,
        cells.row_code as rule_scope,
        cells.column_code as term_name,
        0 as years_back,
        case when cells.column_code = 'total' then 'left' else 'right' end as side
    from cells
    where
        cells.table_code = 'review_litigation'
        and cells.column_code in ('total', {{ sql_list(review_part_codes()) }})

),

r7 as (

    -- R7, per applications column: carried_over of year N = carried_forward of year N-1 of the same
    -- publisher (only where both reports are in the warehouse)
    select
        cells.*,
        'R7' as rule_id,
        cells.column_code as rule_scope,
        case when cells.row_code = 'carried_over' then cells.row_code else cells.row_code || ' (N-1)' end as term_name,
        case when cells.row_code = 'carried_forward' then 1 else 0 end as years_back,
        case when cells.row_code = 'carried_over' then 'left' else 'right' end as side
    from cells
    where
        cells.table_code = 'applications'
        and cells.row_code in ('carried_over', 'carried_forward')

),

terms as (

    select * from r1
    union all
    select * from r2
    union all
    select * from r3
    union all
    select * from r4_r6
    union all
    select * from r7

)

select
    format_version,
    rule_id,
    rule_scope,
    side,
    table_code,
    row_code,
    column_code,
    term_name,
    cast(term_order as integer) as term_order,
    variant,
    cast(years_back as integer) as years_back
from terms
