-- One row per format version × cell of the vocabulary (table, row, column), plus the unknown member.
with

vocabulary as (

    select * from {{ ref('int_table_sections') }}

),

versions as (

    select
        table_code,
        row_code,
        column_code,
        string_agg(format_version, ',' order by format_version) as valid_format_versions
    from vocabulary
    group by table_code, row_code, column_code

),

sections as (

    select
        vocabulary.table_section_key,
        vocabulary.format_version,
        vocabulary.table_code,
        vocabulary.section_number,
        vocabulary.table_label,
        vocabulary.block_code,
        vocabulary.row_code,
        vocabulary.row_label,
        vocabulary.column_code,
        vocabulary.column_label,
        vocabulary.value_kind,
        vocabulary.display_order,
        versions.valid_format_versions
    from vocabulary
    inner join versions
        on
            vocabulary.table_code = versions.table_code
            and vocabulary.row_code = versions.row_code
            and vocabulary.column_code = versions.column_code

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
