-- One row per current report × measure: every cell of its format (measure_code
-- '<table>.<row>.<column>') and the derived measures (rates over the 总计 column and section 四, and
-- the completeness of the report), each with its numerator and denominator. Rates are null when a
-- term is not read (a blank is never 0) or the denominator is 0. The derived measures are defined
-- here, once; fct_measure_yoy compares them year over year and fct_transparency_scorecard scores them.
{%- set withheld = withheld_row_codes() %}

with

documents as (

    select * from {{ ref('int_documents_current') }}

),

vocabulary as (

    select * from {{ ref('int_table_sections') }}

),

cells as (

    select * from {{ ref('fct_report_cells') }}

),

applications as (

    select * from {{ ref('fct_applications') }}
    where applicant_type = 'total'

),

review as (

    -- section 四 per report: corrected and concluded (upheld + corrected + other) per proceeding
    select
        report_key,
        max(corrected) filter (where proceeding = 'administrative_review') as review_corrected,
        max(upheld + corrected + other_result) filter (
            where proceeding = 'administrative_review'
        ) as review_concluded,
        -- both litigation rows must be read (a sum over one of them would pass for the whole)
        case
            when count(corrected) filter (where proceeding like 'litigation%') = 2
                then sum(corrected) filter (where proceeding like 'litigation%')
        end as litigation_corrected,
        case
            when count(upheld + corrected + other_result) filter (where proceeding like 'litigation%') = 2
                then sum(upheld + corrected + other_result) filter (where proceeding like 'litigation%')
        end as litigation_concluded
    from {{ ref('fct_review_litigation') }}
    group by report_key

),

completeness as (

    -- the cells a report of its format fills in: （六）其他处理 counts as the way the report prints it
    -- (the single row, or the three sub-rows of the 2021 form); unreadable cells are our failure to
    -- read, not the publisher's gap, and are left out of both sides
    select
        cells.report_key,
        bool_or(
            cells.row_code in ({{ sql_list(other_split_row_codes()) }}) and cells.value is not null
        ) as split_read,
        count(*) filter (
            where cells.cell_status in ('ok', 'recovered', 'marker')
            and cells.row_code not in ({{ sql_list([other_single_row_code()] + other_split_row_codes()) }})
        ) as core_present,
        count(*) filter (
            where cells.cell_status <> 'unreadable'
            and cells.row_code not in ({{ sql_list([other_single_row_code()] + other_split_row_codes()) }})
        ) as core_expected,
        count(*) filter (
            where cells.cell_status in ('ok', 'recovered', 'marker')
            and cells.row_code = '{{ other_single_row_code() }}'
        ) as single_present,
        count(*) filter (
            where cells.cell_status <> 'unreadable' and cells.row_code = '{{ other_single_row_code() }}'
        ) as single_expected,
        count(*) filter (
            where cells.cell_status in ('ok', 'recovered', 'marker')
            and cells.row_code in ({{ sql_list(other_split_row_codes()) }})
        ) as split_present,
        count(*) filter (
            where cells.cell_status <> 'unreadable' and cells.row_code in ({{ sql_list(other_split_row_codes()) }})
        ) as split_expected
    from cells
    group by cells.report_key

),

derived as (

    select
        applications.report_key,
        measures.measure_code,
        measures.measure_label,
        measures.label_row_code,
        cast(measures.numerator as numeric) as numerator,
        cast(measures.denominator as numeric) as denominator
    from applications
    cross join
        lateral (
            values
            (
                'granted_share', '公开率：（一）予以公开＋（二）部分公开 ÷ （七）总计', cast(null as text),
                applications.granted + applications.partially_granted, applications.total_handled
            ),
            (
                'refused_share', '不予公开率：（三）不予公开 ÷ （七）总计', null,
                {% for code in withheld %}                    applications.{{ code }}{{ ' + ' if not loop.last }}                                                            {% endfor %},
                applications.total_handled
            ){% for code in withheld %}
                ,
                (
                    'refused_share:{{ code }}', null, '{{ code }}', applications.{{ code }}, applications.total_handled
                ){% endfor %}
        ) as measures (measure_code, measure_label, label_row_code, numerator, denominator)
    union all
    select
        review.report_key,
        measures.measure_code,
        measures.measure_label,
        null as label_row_code,
        cast(measures.numerator as numeric) as numerator,
        cast(measures.denominator as numeric) as denominator
    from review
    cross join
        lateral (
            values
            (
                'review_correction_rate', '行政复议纠错率：结果纠正 ÷ 已审结（维持＋纠正＋其他结果）',
                review.review_corrected, review.review_concluded
            ),
            (
                'litigation_correction_rate', '行政诉讼纠错率：结果纠正 ÷ 已审结（维持＋纠正＋其他结果）',
                review.litigation_corrected, review.litigation_concluded
            ),
            (
                'correction_rate', '复议诉讼纠错率：行政复议与行政诉讼合计的结果纠正 ÷ 已审结',
                review.review_corrected + review.litigation_corrected,
                review.review_concluded + review.litigation_concluded
            )
        ) as measures (measure_code, measure_label, numerator, denominator)
    union all
    select
        report_key,
        'completeness_share' as measure_code,
        '完整度：表格应填单元格中已填写的比例（无法识读的不计）' as measure_label,
        null as label_row_code,
        cast(core_present + case when split_read then split_present else single_present end as numeric)
            as numerator,
        cast(core_expected + case when split_read then split_expected else single_expected end as numeric)
            as denominator
    from completeness

),

derived_measures as (

    select
        documents.report_key,
        'derived' as measure_kind,
        derived.measure_code,
        coalesce(derived.measure_label, '不予公开率：' || vocabulary.row_label || ' ÷ （七）总计') as measure_label,
        cast(null as text) as table_code,
        derived.label_row_code as row_code,
        cast(null as text) as column_code,
        case
            when derived.denominator > 0 then round(derived.numerator / derived.denominator, 4)
        end as value,
        derived.numerator,
        derived.denominator
    from derived
    inner join documents
        on derived.report_key = documents.report_key
    left join vocabulary
        on
            documents.format_version = vocabulary.format_version
            and vocabulary.table_code = 'applications'
            and derived.label_row_code = vocabulary.row_code
            and vocabulary.column_code = 'total'

),

cell_measures as (

    select
        cells.report_key,
        'cell' as measure_kind,
        cells.table_code || '.' || cells.row_code || '.' || cells.column_code as measure_code,
        vocabulary.row_label || ' · ' || vocabulary.column_label as measure_label,
        cells.table_code,
        cells.row_code,
        cells.column_code,
        cast(cells.value as numeric) as value,
        cast(null as numeric) as numerator,
        cast(null as numeric) as denominator
    from cells
    left join vocabulary
        on
            cells.format_version = vocabulary.format_version
            and cells.table_code = vocabulary.table_code
            and cells.row_code = vocabulary.row_code
            and cells.column_code = vocabulary.column_code

),

measures as (

    select * from cell_measures
    union all
    select * from derived_measures

)

select
    documents.report_key,
    documents.government_unit_key,
    documents.publisher_name,
    documents.report_year,
    documents.format_version,
    measures.measure_kind,
    measures.measure_code,
    measures.measure_label,
    measures.table_code,
    measures.row_code,
    measures.column_code,
    measures.value,
    measures.numerator,
    measures.denominator
from measures
inner join documents
    on measures.report_key = documents.report_key
