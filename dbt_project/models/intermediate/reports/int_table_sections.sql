-- The vocabulary seed with its surrogate key (one row per format version × cell), computed once.
with

vocabulary as (

    select * from {{ ref('table_section_vocabulary') }}

)

select
    {{ surrogate_key(['format_version', 'table_code', 'row_code', 'column_code']) }} as table_section_key,
    *
from vocabulary
