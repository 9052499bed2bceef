with

source as (

    select * from {{ source('raw', 'claims') }}

),

renamed as (

    select
        cast(document_id as bigint) as document_id,
        cast(claim_no as integer) as claim_number,
        cast(measure as text) as measure_code,
        cast(value as numeric) as claim_value,
        cast(raw_text as text) as raw_text,
        cast(period as text) as claim_period,
        cast(sentence as text) as sentence,
        cast(page as integer) as page_number,
        cast(char_offset as integer) as char_offset

    from source

)

select * from renamed
