-- One row per format version × cell of the vocabulary (table, row, column), plus the unknown member.
with

vocabulary as (

    select * from {{ ref('int_table_sections') }}

),

sections as (

    select
        table_section_key,
        format_version,
        table_code,
        section_number,
        table_label,
        block_code,
        row_code,
        row_label,
        column_code,
        column_label,
        value_kind,
        display_order,
        string_agg(format_version, ',') over (
            partition by table_code, row_code, column_code
            order by format_version
            rows between unbounded preceding and unbounded following
        ) as valid_format_versions
    from vocabulary

),

unknown_member as (

    select
        '-1' as table_section_key,
        cast(null as text) as format_version,
        '（未知）' as table_code,
        cast(null as integer) as section_number,
        '（未知）' as table_label,
        cast(null as text) as block_code,
        '（未知）' as row_code,
        '（未知）' as row_label,
        '（未知）' as column_code,
        '（未知）' as column_label,
        cast(null as text) as value_kind,
        cast(null as integer) as display_order,
        cast(null as text) as valid_format_versions

)

select * from sections
union all
select * from unknown_member
