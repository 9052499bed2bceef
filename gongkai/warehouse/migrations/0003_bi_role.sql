-- A read-only group role for BI tools on the marts schema (grant it to login roles:
-- `grant gongkai_bi to alice`). Roles are cluster-wide: create it only once.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'gongkai_bi') then
        create role gongkai_bi nologin;
    end if;
exception when duplicate_object then
    null;  -- created concurrently by another database's migration
end
$$;

create schema if not exists marts;
grant usage on schema marts to gongkai_bi;
grant select on all tables in schema marts to gongkai_bi;
alter default privileges in schema marts grant select on tables to gongkai_bi;
