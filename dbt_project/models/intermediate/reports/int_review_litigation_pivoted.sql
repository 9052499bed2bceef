{{ config(materialized='table') }}

-- Section 四 pivoted: one row per report × proceeding (row), one column per result.
with

cells as (

    select * from {{ ref('int_cells_enriched') }}
    where table_code = 'review_litigation'

)

select
    report_key,
    document_id,
    row_code as proceeding,
    {% for result_code in review_result_codes() %}
        max(cell_value) filter (where column_code = '{{ result_code }}') as {{ result_code }},
    {% endfor %}
    max(row_label) as proceeding_label
from cells
group by report_key, document_id, row_code
