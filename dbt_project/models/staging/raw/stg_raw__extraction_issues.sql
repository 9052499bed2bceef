with

source as (

    select * from {{ source('raw', 'extraction_issues') }}

),

renamed as (

    select
        cast(document_id as bigint) as document_id,
        cast(issue_no as integer) as issue_number,
        cast(code as text) as issue_code,
        cast(message as text) as issue_message,
        cast(table_code as text) as table_code,
        cast(row_code as text) as row_code,
        cast(column_code as text) as column_code,
        cast(page as integer) as page_number

    from source

)

select * from renamed
