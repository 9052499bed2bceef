{{ config(**incremental_by_document(indexes=[{'columns': ['report_key']}])) }}

-- Section 二 pivoted: one row per report × item (row), one column per column code of either format.
-- Incremental by document (macros/incremental_by_document.sql).
with

cells as (

    select * from {{ ref('int_cells_enriched') }}
    where table_code = 'proactive' and {{ documents_to_build_condition() }}

)

select
    report_key,
    document_id,
    row_code as item_code,
    max(row_label) as item_label,
    max(block_code) as block_code,
    {% for column_code in proactive_column_codes() %}
        max(cell_value) filter (where column_code = '{{ column_code }}') as {{ column_code }},
    {% endfor %}
    min(display_order) as display_order,
    max(loaded_at) as loaded_at
from cells
group by report_key, document_id, row_code
