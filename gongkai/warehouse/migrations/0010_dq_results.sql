-- Data-quality results (H5, gongkai/quality): one row per check run, one row per rule application.
-- Written by gongkai.quality.run_checks; read by the dbt view marts.dq_rule_summary and by BI.
create schema if not exists dq;

create table if not exists dq.check_runs (
    run_id            text primary key,
    started_at        timestamptz not null,
    finished_at       timestamptz,
    years             integer[],             -- report years checked; null = all
    status            text not null default 'running'
                      check (status in ('running', 'passed', 'failed', 'error')),
    results_total     integer,
    results_pass      integer,
    results_fail      integer,
    results_uncertain integer,
    critical_failures integer,
    docs_path         text                   -- GX Data Docs index.html, when built
);

create table if not exists dq.rule_results (
    result_id    bigserial primary key,
    run_id       text not null references dq.check_runs (run_id) on delete cascade,
    checked_at   timestamptz not null,
    document_id  bigint,
    report_key   text,
    publisher    text,
    report_year  integer,
    rule         text not null,                -- R1..R7, COMPLETENESS, VALIDITY, YEAR_RANGE, UNIQUENESS
    rule_scope   text not null,                -- applicant column, applications row, proceeding, cell or 'report'
    status       text not null check (status in ('PASS', 'FAIL', 'UNCERTAIN')),
    left_value   numeric,
    right_value  numeric,
    severity     text not null check (severity in ('critical', 'warning')),
    source_url   text,
    message      text
);

create index if not exists rule_results_run_idx on dq.rule_results (run_id);
create index if not exists rule_results_report_idx on dq.rule_results (publisher, report_year);
create index if not exists rule_results_fail_idx on dq.rule_results (status) where status <> 'PASS';
