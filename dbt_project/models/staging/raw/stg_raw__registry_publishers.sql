with

source as (

    select * from {{ source('raw', 'registry_publishers') }}

),

renamed as (

    select
        cast(name as text) as publisher_name,
        cast(level as text) as registered_level,
        cast(parent_region as text) as registered_parent_region,
        cast(admin_code as text) as admin_code,
        cast(homepage as text) as homepage_url,
        cast(updated_at as timestamptz) as updated_at

    from source

)

select * from renamed
