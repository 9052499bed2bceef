-- R8, prose against tables: one row per current report × measure its prose quotes (about the report's
-- own year, or about an unclear period) that the report's format has cells for, in fct_rule_checks'
-- columns. left_value is the number the prose gives, right_value the sum of the measure's cells
-- (seed prose_measure_cells, generated from extractors/claims.py).
--
-- Tri-state like R1–R7: UNCERTAIN when a cell is not read (blank, marker, unreadable, missing or absent)
-- or was recovered by the identities, or when the prose is ambiguous — it gives different numbers for
-- the measure, or gives it only for an unclear period ("2019年截至目前"): then left_value is null.
-- FAIL when the one number the prose gives differs from the cells, else PASS. Claims about the year
-- before (上年…) and claims of measures without a cell are not compared (they stay in int_prose_claims).
-- fct_rule_checks adds these rows to R1–R7's.
with

documents as (

    select * from {{ ref('int_documents_current') }}

),

measure_cells as (

    select * from {{ ref('prose_measure_cells') }}
    where table_code is not null

),

claims as (

    select * from {{ ref('stg_raw__claims') }}
    where claim_period in ('report_year', 'unclear')

),

claimed as (

    -- per report and measure: what the prose says (this year's numbers; the other ones for the reason)
    select
        document_id,
        measure_code,
        count(*) filter (where claim_period = 'report_year') as claims_this_year,
        count(distinct claim_value) filter (where claim_period = 'report_year') as values_this_year,
        min(claim_value) filter (where claim_period = 'report_year') as claim_value,
        string_agg(distinct cast(claim_value as text), ', ') filter (
            where claim_period = 'report_year'
        ) as values_said,
        min(raw_text) filter (where claim_period = 'report_year') as words_this_year,
        min(sentence) filter (where claim_period = 'unclear') as unclear_sentence
    from claims
    group by document_id, measure_code

),

instances as (

    -- the claimed measures the report's format has cells for, with the number of cells they sum
    select
        documents.document_id,
        documents.report_key,
        documents.government_unit_key,
        documents.publisher_name,
        documents.report_year,
        documents.format_version,
        documents.loaded_at,
        claimed.measure_code,
        claimed.claims_this_year,
        claimed.values_this_year,
        claimed.claim_value,
        claimed.values_said,
        claimed.words_this_year,
        claimed.unclear_sentence,
        count(*) as cells_needed
    from claimed
    inner join documents
        on claimed.document_id = documents.document_id
    inner join measure_cells
        on
            documents.format_version = measure_cells.format_version
            and claimed.measure_code = measure_cells.measure_code
    group by
        documents.document_id, documents.report_key, documents.government_unit_key, documents.publisher_name,
        documents.report_year, documents.format_version, documents.loaded_at, claimed.measure_code,
        claimed.claims_this_year, claimed.values_this_year, claimed.claim_value, claimed.values_said,
        claimed.words_this_year, claimed.unclear_sentence

),

cells_read as (

    -- the measure's cells in the report: read, recovered, and the ones without a value
    select
        instances.document_id,
        instances.measure_code,
        count(*) as cells_found,
        count(cells.cell_value) as cells_with_value,
        sum(cells.cell_value) as cell_sum,
        count(*) filter (where cells.cell_status = 'recovered') as cells_recovered,
        string_agg(
            measure_cells.row_code || ' (' || cells.cell_status || ')', ', ' order by measure_cells.row_code
        ) filter (where cells.cell_value is null) as unread_names,
        string_agg(measure_cells.row_code, ', ' order by measure_cells.row_code) filter (
            where cells.cell_status = 'recovered'
        ) as recovered_names
    from instances
    inner join measure_cells
        on
            instances.format_version = measure_cells.format_version
            and instances.measure_code = measure_cells.measure_code
    inner join {{ ref('stg_raw__cells') }} as cells
        on
            instances.document_id = cells.document_id
            and measure_cells.table_code = cells.table_code
            and measure_cells.row_code = cells.row_code
            and measure_cells.column_code = cells.column_code
    group by instances.document_id, instances.measure_code

),

sides as (

    select
        instances.*,
        coalesce(cells_read.cells_recovered, 0) as cells_recovered,
        cells_read.unread_names,
        cells_read.recovered_names,
        instances.cells_needed - coalesce(cells_read.cells_with_value, 0) as cells_unread,
        instances.cells_needed - coalesce(cells_read.cells_found, 0) as cells_absent,
        case when instances.values_this_year = 1 then instances.claim_value end as left_value,
        case when cells_read.cells_with_value = instances.cells_needed then cells_read.cell_sum end as right_value
    from instances
    left join cells_read
        on
            instances.document_id = cells_read.document_id
            and instances.measure_code = cells_read.measure_code

)

select
    {{ surrogate_key(['report_key', "'R8'", 'measure_code']) }} as rule_check_key,
    report_key,
    document_id,
    government_unit_key,
    publisher_name,
    report_year,
    format_version,
    'R8' as rule_id,
    measure_code as rule_scope,
    cast(left_value as double precision) as left_value,
    cast(right_value as double precision) as right_value,
    case
        when left_value is null or cells_unread > 0 or cells_recovered > 0 then 'UNCERTAIN'
        when left_value = right_value then 'PASS'
        else 'FAIL'
    end as status,
    case
        when left_value is null or cells_unread > 0 or cells_recovered > 0
            then concat_ws(
                '; ',
                case
                    when claims_this_year = 0
                        then 'the prose gives it only for an unclear period: “' || left(unclear_sentence, 80) || '”'
                end,
                case when values_this_year > 1 then 'the prose gives different numbers: ' || values_said end,
                'not read: ' || unread_names,
                case when cells_absent > 0 then cells_absent || ' cells absent from the record' end,
                'relies on cells recovered by identities: ' || recovered_names
            )
        when left_value <> right_value
            then 'prose ' || left_value || ' (“' || words_this_year || '”) ≠ table ' || right_value
    end as reason,
    cast(cells_needed as integer) as cells_needed,
    cast(cells_unread as integer) as cells_unread,
    cast(cells_recovered as integer) as cells_recovered,
    cast(null as bigint) as compared_document_id,
    loaded_at
from sides
