-- One row per report × proactive-disclosure item (规章, 行政许可, 行政处罚 …).
-- Incremental by document (macros/incremental_by_document.sql).
{{ config(**incremental_by_document(indexes=[
    {'columns': ['report_key', 'item_code'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
])) }}

with

proactive as (

    select * from {{ ref('int_proactive_pivoted') }}
    where {{ documents_to_build_condition() }}

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
    {% for column_code in proactive_column_codes() %}
        {% if column_code in amount_column_codes() -%}
            proactive.{{ column_code }},
        {%- else -%}
            {{ whole_count('proactive.' ~ column_code) }} as {{ column_code }},
        {%- endif %}
    {% endfor %}
    documents.loaded_at
from proactive
inner join documents
    on proactive.report_key = documents.report_key
