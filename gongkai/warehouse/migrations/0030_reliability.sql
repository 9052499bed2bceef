-- Reliability (issue 10): extraction attempts per document, and the transform's lease on the raw layer.

-- How many times a document's bytes were extracted and written. A document quarantined for a transient
-- reason (timeout, memory_limit, worker_killed) is extracted again on later runs while attempts is below
-- the loader's bound (gongkai.warehouse.load.MAX_ATTEMPTS); `gongkai load --retry quarantined` ignores it.
alter table raw.documents add column if not exists attempts integer not null default 1
    check (attempts >= 1);
create index if not exists documents_quarantined_idx on raw.documents (error_code) where status = 'quarantined';

-- A transform that spans several processes (the t_warehouse DAG's dbt tasks) holds this lease while it
-- reads the raw layer; loaders wait while it is held and not expired (gongkai.warehouse.locks).
create schema if not exists ops;
create table if not exists ops.warehouse_lease (
    name        text primary key,
    holder      text        not null,
    acquired_at timestamptz not null default now(),
    expires_at  timestamptz not null
);
