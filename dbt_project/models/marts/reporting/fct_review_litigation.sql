-- One row per report × proceeding (administrative review, litigation direct, litigation after review).
with

review as (

    select * from {{ ref('int_review_litigation_pivoted') }}

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
    {% for result_code in review_result_codes()[:-1] %}
        review.{{ result_code }},
    {% endfor %}
    review.total
from review
inner join documents
    on review.report_key = documents.report_key
