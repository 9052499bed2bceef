-- One row per report × proceeding (administrative review, litigation direct, litigation after review).
-- Incremental by document (macros/incremental_by_document.sql).
{{ config(**incremental_by_document(indexes=[
    {'columns': ['report_key', 'proceeding'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
])) }}

with

review as (

    select * from {{ ref('int_review_litigation_pivoted') }}
    where {{ documents_to_build_condition() }}

),

documents as (

    select * from {{ ref('int_documents_current') }}

)

select
    review.report_key,
    review.document_id,
    documents.government_unit_key,
    documents.report_year,
    review.proceeding,
    review.proceeding_label,
    {% for result_code in review_result_codes() %}
        {{ whole_count('review.' ~ result_code) }} as {{ result_code }},
    {% endfor %}
    documents.loaded_at
from review
inner join documents
    on review.report_key = documents.report_key
