-- Year over year: one row per publisher × report year × measure (every cell and every derived measure
-- of int_report_measures), with the same publisher's value of the year before, the change and whether
-- the two years' forms let the measure be compared. A cell is comparable across the 2019 and 2021
-- forms when the vocabulary has the same cell in both (derived measures are defined on both forms);
-- the cells of one form only are not. R7 (carry-over) surfaces on the 上年结转 rows.
{{ config(indexes=[
    {'columns': ['measure_yoy_key'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
    {'columns': ['measure_code', 'report_year']},
]) }}

with

measures as (

    select * from {{ ref('int_report_measures') }}

),

reports as (

    select * from {{ ref('int_documents_current') }}

),

forms as (

    -- the format versions each cell is part of
    select
        table_code,
        row_code,
        column_code,
        count(distinct format_version) as form_count
    from {{ ref('int_table_sections') }}
    group by table_code, row_code, column_code

),

carry_over as (

    select
        report_key,
        rule_scope,
        status,
        reason
    from {{ ref('fct_rule_checks') }}
    where rule_id = 'R7'

),

pairs as (

    -- each report with the same publisher's report of the year before, when there is one
    select
        reports.report_key,
        previous.report_key as previous_report_key,
        previous.format_version as previous_format_version
    from reports
    left join reports as previous
        on
            reports.government_unit_key = previous.government_unit_key
            and previous.report_year = reports.report_year - 1
            and reports.government_unit_key <> '-1'

)

select
    {{ surrogate_key(['measures.report_key', 'measures.measure_code']) }} as measure_yoy_key,
    measures.report_key,
    pairs.previous_report_key,
    measures.government_unit_key,
    measures.publisher_name,
    measures.report_year,
    measures.measure_kind,
    measures.measure_code,
    measures.measure_label,
    measures.table_code,
    measures.row_code,
    measures.column_code,
    measures.value,
    previous.value as previous_value,
    measures.value - previous.value as change,  -- noqa: RF04
    case
        when previous.value <> 0
            then round(100 * (measures.value - previous.value) / abs(previous.value), 1)
    end as change_pct,
    measures.format_version,
    pairs.previous_format_version,
    coalesce(measures.format_version <> pairs.previous_format_version, false) as format_changed,
    case
        when pairs.previous_report_key is null then null
        when measures.format_version = pairs.previous_format_version then true
        when measures.measure_kind = 'derived' then true
        else coalesce(forms.form_count > 1, false)
    end as comparable,
    case
        when pairs.previous_report_key is null then '无上年报告 · no report for the year before'
        when measures.format_version = pairs.previous_format_version then null
        when measures.measure_kind = 'derived' then null
        when coalesce(forms.form_count, 0) < 2
            then
                '仅' || measures.format_version || '年版格式有此项 · only in the ' || measures.format_version
                || ' form: not comparable with the ' || pairs.previous_format_version || ' form'
        when measures.row_code in ({{ sql_list([other_single_row_code()] + other_split_row_codes()) }})
            then
                '2021年版格式将（六）其他处理分为三项 · the 2021 form splits （六）其他处理 into three rows: '
                || 'compare other_handling with their sum'
    end as comparability_note,
    carry_over.status as carry_over_status,
    carry_over.reason as carry_over_reason
from measures
inner join pairs
    on measures.report_key = pairs.report_key
left join measures as previous
    on
        pairs.previous_report_key = previous.report_key
        and measures.measure_code = previous.measure_code
left join forms
    on
        measures.table_code = forms.table_code
        and measures.row_code = forms.row_code
        and measures.column_code = forms.column_code
left join carry_over
    on
        measures.report_key = carry_over.report_key
        and measures.table_code = 'applications'
        and measures.row_code = 'carried_over'
        and measures.column_code = carry_over.rule_scope
