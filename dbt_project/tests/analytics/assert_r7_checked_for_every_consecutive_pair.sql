-- R7 (carry-over) is evaluated for every pair of consecutive years of a publisher in the warehouse:
-- a current report whose publisher's report of the year before is current too has R7 rows, one per
-- applicant column (the rows fct_measure_yoy shows on 上年结转). Returns the reports that lack them.
with

reports as (

    select * from {{ ref('int_documents_current') }}
    where publisher_name is not null

),

r7 as (

    select
        report_key,
        count(*) as instances
    from {{ ref('fct_rule_checks') }}
    where rule_id = 'R7'
    group by report_key

)

select
    reports.report_key,
    reports.publisher_name,
    reports.report_year,
    coalesce(r7.instances, 0) as r7_instances
from reports
inner join reports as previous
    on
        reports.publisher_name = previous.publisher_name
        and previous.report_year = reports.report_year - 1
left join r7
    on reports.report_key = r7.report_key
where coalesce(r7.instances, 0) <> {{ applicant_column_codes() | length }}
