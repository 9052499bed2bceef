{{ config(**incremental_by_document(indexes=[{'columns': ['report_key']}])) }}

-- Section 三 pivoted: one row per report × applicant type (column), one column per row code.
-- Incremental by document (macros/incremental_by_document.sql).
with

cells as (

    select * from {{ ref('int_cells_enriched') }}
    where table_code = 'applications' and {{ documents_to_build_condition() }}

)

select
    report_key,
    document_id,
    column_code as applicant_type,
    {% for row_code in application_row_codes() %}
        max(cell_value) filter (where row_code = '{{ row_code }}') as {{ row_code }},
    {% endfor %}
    max(column_label) as applicant_type_label,
    max(loaded_at) as loaded_at
from cells
group by report_key, document_id, column_code
