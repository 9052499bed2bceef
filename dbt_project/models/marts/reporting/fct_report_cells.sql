-- One row per report × cell. The grain is enforced by a unique index (cheaper than a data test
-- that groups two million rows). Incremental by document (macros/incremental_by_document.sql): a yearly
-- load inserts that year's cells and deletes the cells of superseded documents.
{{ config(**incremental_by_document(indexes=[
    {'columns': ['report_key', 'table_code', 'row_code', 'column_code'], 'unique': True},
])) }}

select
    report_key,
    document_id,
    government_unit_key,
    report_year,
    format_version,
    table_section_key,
    table_code,
    row_code,
    column_code,
    cell_value as value,
    raw_text,
    cell_status,
    page_number as page,
    loaded_at
from {{ ref('int_cells_enriched') }}
where {{ documents_to_build_condition() }}
