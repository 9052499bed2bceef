{{ config(materialized='view') }}

-- One row per publisher × report year, from the latest finished check run that checked that year. The
-- latest run per year is ranked among the runs (a few rows); its per-publisher summary was written by
-- the run itself (dq.report_summaries), so the view reads a row per report, not every rule result.
with

runs as (

    select
        run_id,
        started_at,
        report_years
    from {{ source('dq', 'check_runs') }}
    where status in ('passed', 'failed')

),

run_years as (

    select
        runs.run_id,
        runs.started_at,
        run_year.report_year
    from runs
    cross join lateral unnest(runs.report_years) as run_year (report_year)

),

latest_runs as (

    select
        run_id,
        report_year
    from (
        select
            run_id,
            report_year,
            row_number() over (
                partition by report_year
                order by started_at desc, run_id desc
            ) as recency
        from run_years
    ) as ranked
    where recency = 1

)

select
    {{ surrogate_key(['summaries.publisher', 'summaries.report_year']) }} as summary_key,
    summaries.publisher,
    cast(summaries.report_year as integer) as report_year,
    summaries.run_id,
    summaries.checked_at,
    summaries.reports_checked,
    summaries.rule_results,
    summaries.pass_count,
    summaries.fail_count,
    summaries.uncertain_count,
    summaries.critical_fail_count,
    summaries.warning_fail_count,
    summaries.failed_rules
from {{ source('dq', 'report_summaries') }} as summaries
inner join latest_runs
    on
        summaries.run_id = latest_runs.run_id
        and coalesce(summaries.report_year, -1) = coalesce(latest_runs.report_year, -1)
