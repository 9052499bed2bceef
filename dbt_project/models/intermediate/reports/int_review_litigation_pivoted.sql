{{ config(**incremental_by_document(indexes=[{'columns': ['report_key']}])) }}

-- Section 四 pivoted: one row per report × proceeding (row), one column per result.
-- Incremental by document (macros/incremental_by_document.sql).
with

cells as (

    select * from {{ ref('int_cells_enriched') }}
    where table_code = 'review_litigation' and {{ documents_to_build_condition() }}

)

select
    report_key,
    document_id,
    row_code as proceeding,
    {% for result_code in review_result_codes() %}
        max(cell_value) filter (where column_code = '{{ result_code }}') as {{ result_code }},
    {% endfor %}
    max(row_label) as proceeding_label,
    max(loaded_at) as loaded_at
from cells
group by report_key, document_id, row_code
