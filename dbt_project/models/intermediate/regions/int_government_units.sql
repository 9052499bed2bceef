-- One row per government unit (publisher): its name, level and parent region from the registry when
-- known, else parsed from the name. dim_government_unit and the region matching read it.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

registry as (

    select * from {{ ref('stg_raw__registry_publishers') }}

),

unit_names as (

    select publisher_name from documents
    where publisher_name is not null
    union
    select publisher_name from registry

),

parsed as (

    select
        unit_names.publisher_name,
        registry.registered_level,
        registry.registered_parent_region,
        registry.admin_code,
        registry.homepage_url,
        registry.publisher_name is not null as is_registered,
        case
            when
                unit_names.publisher_name ~ '(局|委员会|委|办公室|办公厅|厅|中心|院|所|署|处|站|队|公司|学校|法院|检察院)$'
                and unit_names.publisher_name !~ '(街道办事处|人民政府)$'
                then '部门'
            when unit_names.publisher_name ~ '(乡|镇|街道|街道办事处|苏木)(人民政府)?$' then '乡镇/街道'
            when unit_names.publisher_name ~ '(省|自治区)(人民政府)?$' then '省'
            when unit_names.publisher_name ~ '(区|县|旗|县级市)(人民政府)?$' then '县区'
            when unit_names.publisher_name ~ '(市|州|盟)(人民政府)?$' then '地市'
            else '部门'
        end as parsed_level,
        coalesce(
            substring(unit_names.publisher_name from '^(.+?[省市州盟区县旗])[^省市州盟区县旗]+?(乡|镇|街道|苏木)'),
            substring(unit_names.publisher_name from '^(.+?[省市州盟])[^省市州盟]+?[区县旗](人民政府)?$'),
            substring(unit_names.publisher_name from '^(.+?[省区])[^省区]+?[市州盟](人民政府)?$'),
            substring(unit_names.publisher_name from '^(.+[省市州盟区县旗])[^省市州盟区县旗]*?(局|委员会|委|办公室|办公厅|厅|中心|院)$')
        ) as parsed_parent_region
    from unit_names
    left join registry
        on unit_names.publisher_name = registry.publisher_name

)

select
    {{ surrogate_key(['publisher_name']) }} as government_unit_key,
    publisher_name,
    coalesce(registered_level, parsed_level) as level,
    coalesce(registered_parent_region, parsed_parent_region) as parent_region,
    admin_code,
    homepage_url,
    is_registered
from parsed
