-- One row per report year: 2019 (the first year under the revised regulation) to the latest year
-- seen, widened to any earlier year a document claims.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

bounds as (

    select
        least(
            2019,
            coalesce(min(report_year), 2019)
        ) as first_year,
        greatest(
            2019,
            coalesce(max(report_year), 2019),
            cast(extract(year from current_date) as integer) - 1
        ) as last_year
    from documents

),

years as (

    select cast(generate_series(bounds.first_year, bounds.last_year) as integer) as report_year
    from bounds

)

select
    report_year,
    case
        when report_year between 2019 and 2020 then '2019'
        when report_year >= 2021 then '2021'
    end as format_version,
    case
        when report_year < 2019 then '（2019年以前：2008年条例，无统一表格格式）'
        when report_year <= 2020 then '国办公开办函〔2019〕60号'
        else '国办公开办函〔2021〕30号'
    end as format_notice,
    make_date(report_year + 1, 3, 31) as government_deadline,
    make_date(report_year + 1, 1, 31) as department_deadline
from years
