-- One row per report × proactive-disclosure item (规章, 行政许可, 行政处罚 …).
with

proactive as (

    select * from {{ ref('int_proactive_pivoted') }}

),

documents as (

    select * from {{ ref('int_documents_current') }}

)

select
    proactive.report_key,
    proactive.document_id,
    documents.government_unit_key,
    documents.report_year,
    documents.format_version,
    proactive.block_code,
    proactive.item_code,
    proactive.item_label,
    proactive.display_order,
    {% for column_code in proactive_column_codes()[:-1] %}
        proactive.{{ column_code }},
    {% endfor %}
    proactive.procurement_amount
from proactive
inner join documents
    on proactive.report_key = documents.report_key
