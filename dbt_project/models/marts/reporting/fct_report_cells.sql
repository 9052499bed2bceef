-- One row per report × cell.
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
    page_number as page
from {{ ref('int_cells_enriched') }}
