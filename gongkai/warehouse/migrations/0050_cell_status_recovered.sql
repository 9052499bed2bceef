-- Extraction contract: a cell may be 'recovered' — values printed run together ("640020470"), split
-- the only way the balancing identities allow. It carries a number like 'ok'; rules that rely on it
-- cannot count it as evidence that the report balances (the quality checks make them UNCERTAIN).
alter table raw.cells drop constraint if exists cells_status_check;
alter table raw.cells add constraint cells_status_check
    check (status in ('ok', 'recovered', 'blank', 'marker', 'unreadable', 'missing'));
alter table raw.cells drop constraint if exists cells_value_iff_ok;
alter table raw.cells add constraint cells_value_iff_ok
    check ((status in ('ok', 'recovered')) = (value is not null));
