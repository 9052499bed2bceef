-- One row per report × applicant type. Incremental by document (macros/incremental_by_document.sql).
{{ config(**incremental_by_document(indexes=[
    {'columns': ['report_key', 'applicant_type'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
])) }}

with

applications as (

    select * from {{ ref('int_applications_pivoted') }}
    where {{ documents_to_build_condition() }}

),

documents as (

    select * from {{ ref('int_documents_current') }}

)

select
    applications.report_key,
    applications.document_id,
    documents.government_unit_key,
    documents.report_year,
    documents.format_version,
    applications.applicant_type,
    applications.applicant_type_label,
    {% for row_code in application_row_codes() %}
        {{ whole_count('applications.' ~ row_code) }} as {{ row_code }},
    {% endfor %}
    documents.loaded_at
from applications
inner join documents
    on applications.report_key = documents.report_key
