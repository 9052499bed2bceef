-- One row per report × rule × scope: fct_rule_checks as a BI user reads it — the rule's statement and
-- both sides of the identity in the form's Chinese (labels from the vocabulary seed), the status in
-- Chinese beside its code, the publisher's region. Readable by gongkai_bi (schema marts), unlike dq.*.
{{ config(indexes=[
    {'columns': ['rule_check_key'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
]) }}

with

checks as (

    select * from {{ ref('fct_rule_checks') }}

),

terms as (

    select
        terms.format_version,
        terms.rule_id,
        terms.rule_scope,
        terms.variant,
        terms.side,
        terms.term_order,
        -- the cell that varies along the rule: its row for a rule down a column, else its column
        case
            when terms.row_code = terms.rule_scope then sections.column_label
            else sections.row_label
        end || case when terms.years_back = 1 then '（上年报告）' else '' end as term_label,
        case
            when terms.row_code = terms.rule_scope then sections.row_label
            else sections.column_label
        end as scope_label
    from {{ ref('int_rule_terms') }} as terms
    inner join {{ ref('int_table_sections') }} as sections
        on
            terms.format_version = sections.format_version
            and terms.table_code = sections.table_code
            and terms.row_code = sections.row_code
            and terms.column_code = sections.column_code

),

side_variants as (

    -- each way of printing （六）其他处理 gives its own sides
    select
        terms.format_version,
        terms.rule_id,
        terms.rule_scope,
        count(*) as cells_needed,
        min(terms.scope_label) as scope_label,
        string_agg(terms.term_label, ' + ' order by terms.term_order) filter (where terms.side = 'left')
            as left_side,
        string_agg(terms.term_label, ' + ' order by terms.term_order) filter (where terms.side = 'right')
            as right_side
    from terms
    cross join (values ('single_other'), ('split_other')) as printed (other_rows_variant)
    where terms.variant in ('any', printed.other_rows_variant)
    group by terms.format_version, terms.rule_id, terms.rule_scope, printed.other_rows_variant

),

sides as (

    -- one per number of cells: the check's cells_needed tells which way the report printed it
    select distinct on (format_version, rule_id, rule_scope, cells_needed) *
    from side_variants
    order by format_version, rule_id, rule_scope, cells_needed

),

rules as (

    select * from {{ ref('rule_catalogue') }}

),

status_labels as (

    select
        code,
        label
    from {{ ref('label_values') }}
    where kind = 'rule_status'

),

units as (

    select * from {{ ref('dim_government_unit') }}

)

select
    checks.rule_check_key,
    checks.report_key,
    checks.government_unit_key,
    checks.publisher_name,
    units.province,
    units.city,
    units.county,
    checks.report_year,
    checks.format_version,
    checks.rule_id,
    rules.rule_statement,
    rules.severity,
    rules.severity_label,
    checks.rule_scope,
    sides.scope_label,
    sides.left_side,
    sides.right_side,
    checks.left_value,
    checks.right_value,
    checks.left_value - checks.right_value as left_minus_right,
    checks.status,
    coalesce(status_labels.label, checks.status) as status_label,
    checks.reason,
    checks.cells_needed,
    checks.cells_unread,
    checks.cells_recovered,
    checks.compared_document_id,
    checks.loaded_at
from checks
left join sides
    on
        checks.format_version = sides.format_version
        and checks.rule_id = sides.rule_id
        and checks.rule_scope = sides.rule_scope
        and checks.cells_needed = sides.cells_needed
left join rules
    on checks.rule_id = rules.rule_id
left join status_labels
    on checks.status = status_labels.code
left join units
    on checks.government_unit_key = units.government_unit_key
