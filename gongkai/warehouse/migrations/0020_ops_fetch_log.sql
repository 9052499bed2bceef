-- ops.fetch_log: every fetch of a report or index page, including the ones that fail (H6, gongkai/fetch).
create schema if not exists ops;

create table if not exists ops.fetch_log (
    fetch_id          bigint generated always as identity primary key,
    run_id            text        not null,
    url               text        not null,
    final_url         text,
    kind              text        not null default 'report' check (kind in ('report', 'index')),
    publisher         text,
    report_year       integer,
    status            text        not null check (status in ('fetched', 'unchanged', 'failed')),
    http_status       integer,
    error_code        text,
    error_message     text,
    sha256            text        check (sha256 is null or sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes        bigint,
    media_type        text,
    content_type      text,
    etag              text,
    last_modified     text,
    response_headers  jsonb,
    redirects         jsonb,
    landing_path      text,
    attempts          integer     not null default 1,
    elapsed_ms        integer,
    started_at        timestamptz not null,
    finished_at       timestamptz not null default now(),
    check (status = 'failed' or sha256 is not null),
    check (status <> 'failed' or error_code is not null)
);

-- the last successful fetch of a URL (conditional GET validators)
create index if not exists fetch_log_url_ok_idx
    on ops.fetch_log (url, finished_at desc) where status in ('fetched', 'unchanged');
create index if not exists fetch_log_run_idx on ops.fetch_log (run_id);
