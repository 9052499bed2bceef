{#- Foreign keys survive their parent's rebuild (on-run-end).

    A model's contract declares its keys (`constraints:` primary_key / foreign_key), and dbt creates them
    with the table. But a dimension or rpt_report_overview is a table rebuilt on every run: dbt swaps
    in the new table and drops the old one `cascade`, which drops the foreign keys of the incremental
    facts that point at it. This hook puts back every declared foreign key that is missing, `not valid`
    (no scan of a large fact: the rows already there are checked by the `relationships` data tests, new
    rows by Postgres), so BI tools always find the joins in the catalog. -#}
{% macro ensure_foreign_keys() %}
    {%- if execute -%}
        {%- set statements = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.materialized in ('table', 'incremental') -%}
            {%- for column in node.columns.values() -%}
                {%- for c in column.constraints if c.type == 'foreign_key' and c.to -%}
                    {%- set parent_name = c.to.replace('"', "'").split("'")[1] -%}
                    {%- set parents = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                        | selectattr('name', 'equalto', parent_name) | list -%}
                    {%- if parents -%}
                        {%- set parent = parents[0] -%}
                        {%- set name = (node.alias ~ '_' ~ column.name ~ '_fkey')[:63] -%}
                        {%- do statements.append(
                            "do $$ begin"
                            ~ " if to_regclass('" ~ node.schema ~ "." ~ node.alias ~ "') is not null"
                            ~ " and to_regclass('" ~ parent.schema ~ "." ~ parent.alias ~ "') is not null"
                            ~ " and not exists (select 1 from pg_constraint where contype = 'f'"
                            ~ " and conrelid = to_regclass('" ~ node.schema ~ "." ~ node.alias ~ "')"
                            ~ " and confrelid = to_regclass('" ~ parent.schema ~ "." ~ parent.alias ~ "')"
                            ~ " and conkey = array[(select attnum from pg_attribute where attrelid = to_regclass('"
                            ~ node.schema ~ "." ~ node.alias ~ "') and attname = '" ~ column.name ~ "')]::int2[])"
                            ~ " then alter table " ~ node.schema ~ "." ~ node.alias
                            ~ " add constraint " ~ name ~ " foreign key (" ~ column.name ~ ") references "
                            ~ parent.schema ~ "." ~ parent.alias ~ " (" ~ (c.to_columns | join(', ')) ~ ") not valid;"
                            ~ " end if; end $$"
                        ) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for sql in statements -%}
            {%- do run_query(sql) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
