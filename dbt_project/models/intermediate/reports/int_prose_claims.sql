-- The prose claims of the current reports (raw.claims, extractors/claims.py), with the measure's
-- Chinese label and whether the report's format has cells for it (R8 compares only those).
with

documents as (

    select * from {{ ref('int_documents_current') }}

),

claims as (

    select * from {{ ref('stg_raw__claims') }}

),

measures as (

    -- per format version and measure: its label and whether the form has a cell for it
    select
        format_version,
        measure_code,
        max(measure_label) as measure_label,
        count(table_code) > 0 as has_cells
    from {{ ref('prose_measure_cells') }}
    group by format_version, measure_code

)

select
    documents.report_key,
    claims.document_id,
    claims.claim_number,
    documents.publisher_name,
    documents.report_year,
    documents.format_version,
    claims.measure_code,
    measures.measure_label,
    coalesce(measures.has_cells, false) as has_cells,
    claims.claim_value,
    claims.raw_text,
    claims.claim_period,
    claims.sentence,
    claims.page_number,
    claims.char_offset,
    documents.loaded_at
from claims
inner join documents
    on claims.document_id = documents.document_id
left join measures
    on
        documents.format_version = measures.format_version
        and claims.measure_code = measures.measure_code
