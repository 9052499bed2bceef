#!/usr/bin/env bash
# Runs once, when the Postgres volume is first created (docker-entrypoint-initdb.d).
# Separate databases and owners: Airflow's metadata, the warehouse, Superset's own metadata DB.
# The BI login user gets the read-only group role gongkai_bi (the warehouse migration 0003 grants it
# SELECT on the marts schema).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v airflow_pw="$AIRFLOW_DB_PASSWORD" -v warehouse_pw="$WAREHOUSE_PASSWORD" \
  -v superset_pw="$SUPERSET_DB_PASSWORD" -v bi_user="$BI_USER" -v bi_pw="$BI_PASSWORD" <<'SQL'
create role airflow login password :'airflow_pw';
create database airflow owner airflow;

create role gongkai login password :'warehouse_pw';
create database gongkai owner gongkai;

create role superset login password :'superset_pw';
create database superset owner superset;

create role gongkai_bi nologin;
create role :"bi_user" login password :'bi_pw' in role gongkai_bi;
alter role :"bi_user" set search_path = marts;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname gongkai <<'SQL'
revoke all on database gongkai from public;
grant connect on database gongkai to gongkai_bi;
SQL
