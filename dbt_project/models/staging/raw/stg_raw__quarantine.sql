with

source as (

    select * from {{ source('raw', 'quarantine') }}

),

renamed as (

    select
        cast(quarantine_id as bigint) as quarantine_id,
        cast(document_id as bigint) as document_id,
        cast(sha256 as text) as sha256,
        cast(source_url as text) as source_url,
        cast(source_path as text) as source_path,
        cast(reason_code as text) as reason_code,
        cast(message as text) as reason_message,
        cast(extractor_version as text) as extractor_version,
        cast(quarantined_at as timestamptz) as quarantined_at

    from source

)

select * from renamed
