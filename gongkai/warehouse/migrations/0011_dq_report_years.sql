-- Check runs at scale.
-- * Each run records the report years it checked and a summary per publisher × report year
--   (dq.report_summaries, written once by the run), so marts.dq_rule_summary reads a few rows per
--   report instead of aggregating every stored result each time BI asks.
-- * A run writes hundreds of thousands of results with one insert … select: no per-row foreign-key
--   trigger (the check run writes a run's results only after its dq.check_runs row, and deletes them
--   itself; the dbt source test `relationships` on run_id still checks), and no index the readers do
--   not use (rule_results_report_idx served the self-join the summary view no longer does).
alter table dq.check_runs add column if not exists report_years integer[];
comment on column dq.check_runs.report_years is
    'Report years that had results in this run (null included when a report had no year).';

create table if not exists dq.report_summaries (
    run_id              text        not null,
    publisher           text,
    report_year         integer,
    checked_at          timestamptz not null,
    reports_checked     bigint      not null,
    rule_results        bigint      not null,
    pass_count          bigint      not null,
    fail_count          bigint      not null,
    uncertain_count     bigint      not null,
    critical_fail_count bigint      not null,
    warning_fail_count  bigint      not null,
    failed_rules        text
);
comment on table dq.report_summaries is
    'One row per check run × publisher × report year: the counts of its rule results (written by the run).';
create index if not exists report_summaries_run_year_idx on dq.report_summaries (run_id, (coalesce(report_year, -1)));

drop index if exists dq.rule_results_report_idx;
alter table dq.rule_results drop constraint if exists rule_results_run_id_fkey;

-- earlier runs: their years and summaries, once
update dq.check_runs r set report_years = y.years
from (select run_id, array_agg(distinct report_year) as years from dq.rule_results group by run_id) as y
where y.run_id = r.run_id and r.report_years is null;

insert into dq.report_summaries
select run_id, publisher, report_year, max(checked_at), count(distinct report_key), count(*),
       count(*) filter (where status = 'PASS'), count(*) filter (where status = 'FAIL'),
       count(*) filter (where status = 'UNCERTAIN'),
       count(*) filter (where status = 'FAIL' and severity = 'critical'),
       count(*) filter (where status = 'FAIL' and severity = 'warning'),
       string_agg(distinct rule, ', ' order by rule) filter (where status = 'FAIL')
from dq.rule_results
where run_id not in (select run_id from dq.report_summaries)
group by run_id, publisher, report_year;
