{{ config(materialized='view') }}

with

runs as (

    select
        run_id,
        started_at
    from {{ source('dq', 'check_runs') }}
    where status in ('passed', 'failed')

),

results as (

    select
        rule_results.run_id,
        rule_results.checked_at,
        rule_results.report_key,
        rule_results.publisher,
        rule_results.report_year,
        rule_results.rule,
        rule_results.status,
        rule_results.severity,
        runs.started_at as run_started_at
    from {{ source('dq', 'rule_results') }} as rule_results
    inner join runs on rule_results.run_id = runs.run_id

),

checked as (

    select distinct
        publisher,
        report_year,
        run_id,
        run_started_at
    from results

),

latest as (

    select
        publisher,
        report_year,
        run_id
    from (
        select
            publisher,
            report_year,
            run_id,
            row_number() over (
                partition by publisher, report_year
                order by run_started_at desc, run_id desc
            ) as recency
        from checked
    ) as ranked
    where recency = 1

)

select
    {{ surrogate_key(['results.publisher', 'results.report_year']) }} as summary_key,
    results.publisher,
    cast(results.report_year as integer) as report_year,
    results.run_id,
    max(results.checked_at) as checked_at,
    count(distinct results.report_key) as reports_checked,
    count(*) as rule_results,
    count(*) filter (where results.status = 'PASS') as pass_count,
    count(*) filter (where results.status = 'FAIL') as fail_count,
    count(*) filter (where results.status = 'UNCERTAIN') as uncertain_count,
    count(*) filter (where results.status = 'FAIL' and results.severity = 'critical') as critical_fail_count,
    count(*) filter (where results.status = 'FAIL' and results.severity = 'warning') as warning_fail_count,
    string_agg(distinct results.rule, ', ' order by results.rule) filter (
        where results.status = 'FAIL'
    ) as failed_rules
from results
inner join latest
    on
        results.publisher is not distinct from latest.publisher
        and results.report_year is not distinct from latest.report_year
        and results.run_id = latest.run_id
group by results.publisher, results.report_year, results.run_id
