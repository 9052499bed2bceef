-- The version of each report in force: loaded documents marked current by the loader (a newer
-- document for the same publisher and year supersedes the older one), with their keys.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

current_documents as (

    select
        document_id,
        sha256,
        publisher_name,
        report_year,
        published_on,
        source_url,
        source_path,
        media_type,
        page_count,
        extractor_version,
        cell_count,
        issue_count,
        loaded_at,
        coalesce(
            extracted_format_version,
            case when report_year <= 2020 then '2019' when report_year >= 2021 then '2021' end
        ) as format_version

    from documents
    where is_current and document_status = 'loaded'

)

select
    {{ surrogate_key(['document_id']) }} as report_key,
    case
        when publisher_name is null then '-1'
        else {{ surrogate_key(['publisher_name']) }}
    end as government_unit_key,
    *
from current_documents
