{#- Incremental builds by document, the loader's unit of change.

    A model built this way carries `document_id` and `loaded_at` (when the document's rows were
    (re)loaded), is configured with `{{ config(**incremental_by_document(indexes=[...])) }}` and filters
    its input with `where {{ documents_to_build_condition() }}`. A document's rows are (re)built when the document is new to the model, was
    reloaded (a newer extractor version: `loaded_at` changed) or became current again; the rows of a
    document that is no longer current (superseded by a newer document for the same publisher and
    year, or quarantined on reload) are deleted first. A yearly load therefore touches one year's
    documents, not five.

    `= any(array(subquery))` (not `in (subquery)`): Postgres pushes it into the views below as an
    index condition on raw.cells, where a semi-join would read every cell first. -#}

{% macro documents_to_build(documents) -%}
    select candidates.document_id
    from {{ documents }} as candidates
    where not exists (
        select 1
        from {{ this }} as built
        where
            built.document_id = candidates.document_id
            and built.loaded_at = candidates.loaded_at
    )
{%- endmacro %}

{#- Pre-hook: delete the rows of documents that are no longer current (and, with `also_column`, the
    rows that compare against such a document, e.g. R7's year N-1). -#}
{% macro delete_rows_of_retired_documents(also_column=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            document_id = any(array({{ retired_documents() }}))
            {%- if also_column %}
            or {{ also_column }} = any(array({{ retired_documents() }}))
            {%- endif %}
    {%- endif -%}
{%- endmacro %}

{% macro retired_documents() -%}
    select document_id from {{ ref('stg_raw__documents') }}
    where not (is_current and document_status = 'loaded')
{%- endmacro %}

{#- Post-hook of every table: fresh planner statistics right after the build (autovacuum comes too
    late for the models and checks that read the table next). -#}
{% macro analyze_this() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- The config of a model built by document: delete+insert by document_id, the rows of retired
    documents deleted first (and those comparing against one, `also_column`), an index to find a
    document's rows. Also declares the model's dependency on the documents the filter and the hook read. -#}
{% macro incremental_by_document(indexes=[], also_column=none) -%}
    {%- do ref('int_documents_current') -%}
    {%- do ref('stg_raw__documents') -%}
    {%- set hook = "{{ delete_rows_of_retired_documents(" ~ ("'" ~ also_column ~ "'" if also_column else "") ~ ") }}" -%}
    {{ return({
        'materialized': 'incremental',
        'unique_key': 'document_id',
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'append_new_columns',
        'pre_hook': hook,
        'indexes': [{'columns': ['document_id', 'loaded_at']}] + indexes,
    }) }}
{%- endmacro %}

{#- `document_id = any(<the documents to build>)` in an incremental build, `true` in a full one. -#}
{% macro documents_to_build_condition(documents=none) -%}
    {%- if is_incremental() -%}
        document_id = any(array({{ documents_to_build(documents or ref('int_documents_current')) }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- `condition` in an incremental build, `true` in a full one (to narrow a scan to the documents being
    built: written as a condition, not a Jinja block, so the SQL reads the same in both). -#}
{% macro in_incremental_build(condition) -%}
    {%- if is_incremental() -%}{{ condition }}{%- else -%}true{%- endif -%}
{%- endmacro %}
