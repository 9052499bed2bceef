-- One row per report × applicant type.
with

applications as (

    select * from {{ ref('int_applications_pivoted') }}

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
    {% for row_code in application_row_codes()[:-1] %}
        applications.{{ row_code }},
    {% endfor %}
    applications.carried_forward
from applications
inner join documents
    on applications.report_key = documents.report_key
