with

source as (

    select * from {{ source('raw', 'cells') }}

),

renamed as (

    select
        cast(document_id as bigint) as document_id,
        cast(table_code as text) as table_code,
        cast(row_code as text) as row_code,
        cast(column_code as text) as column_code,
        cast(value as numeric) as cell_value,
        cast(raw_text as text) as raw_text,
        cast(status as text) as cell_status,
        cast(page as integer) as page_number,
        coalesce(cast(ocr as boolean), false) as is_ocr,
        cast(confidence as numeric) as ocr_confidence

    from source

)

select * from renamed
