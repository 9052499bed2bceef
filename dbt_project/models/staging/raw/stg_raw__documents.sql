with

source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

    select
        cast(document_id as bigint) as document_id,
        cast(sha256 as text) as sha256,
        cast(source_path as text) as source_path,
        cast(source_url as text) as source_url,
        cast(landing_path as text) as landing_path,
        cast(fetched_at as timestamptz) as fetched_at,
        cast(media_type as text) as media_type,
        cast(size_bytes as bigint) as size_bytes,
        cast(pages as integer) as page_count,
        cast(registered_publisher as text) as registered_publisher,
        cast(registered_year as integer) as registered_year,
        cast(publisher as text) as extracted_publisher,
        cast(report_year as integer) as extracted_year,
        cast(unit_name as text) as publisher_name,
        cast(unit_year as integer) as report_year,
        cast(format_version as text) as extracted_format_version,
        cast(published_on as date) as published_on,
        cast(extractor_version as text) as extractor_version,
        cast(status as text) as document_status,
        cast(error_code as text) as error_code,
        cast(error_message as text) as error_message,
        cast(cell_count as integer) as cell_count,
        cast(issue_count as integer) as issue_count,
        cast(is_current as boolean) as is_current,
        cast(superseded_by as bigint) as superseded_by_document_id,
        cast(first_loaded_at as timestamptz) as first_loaded_at,
        cast(loaded_at as timestamptz) as loaded_at

    from source

)

select * from renamed
