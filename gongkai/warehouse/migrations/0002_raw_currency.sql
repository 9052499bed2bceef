-- At most one current, loaded document per publisher and report year (registered, else extracted).
create unique index documents_one_current_idx
    on raw.documents (unit_name, unit_year)
    where is_current and status = 'loaded';
create index documents_unit_idx on raw.documents (unit_name, unit_year);
create index documents_superseded_by_idx on raw.documents (superseded_by);
