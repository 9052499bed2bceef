-- The cells of current reports with the vocabulary joined in (labels, section, display order).
-- `document_id` is the cells' own column: a filter on it reaches raw.cells' primary key.
with

cells as (

    select * from {{ ref('stg_raw__cells') }}

),

documents as (

    select * from {{ ref('int_documents_current') }}

),

vocabulary as (

    select * from {{ ref('int_table_sections') }}

)

select
    documents.report_key,
    documents.government_unit_key,
    cells.document_id,
    documents.report_year,
    documents.format_version,
    cells.table_code,
    cells.row_code,
    cells.column_code,
    cells.cell_value,
    cells.raw_text,
    cells.cell_status,
    cells.page_number,
    documents.loaded_at,
    vocabulary.section_number,
    vocabulary.block_code,
    vocabulary.row_label,
    vocabulary.column_label,
    vocabulary.value_kind,
    vocabulary.display_order,
    coalesce(vocabulary.table_section_key, '-1') as table_section_key
from cells
inner join documents
    on cells.document_id = documents.document_id
left join vocabulary
    on
        documents.format_version = vocabulary.format_version
        and cells.table_code = vocabulary.table_code
        and cells.row_code = vocabulary.row_code
        and cells.column_code = vocabulary.column_code
