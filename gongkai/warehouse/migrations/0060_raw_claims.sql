-- Prose claims (docs/format.md, "Prose claims"): the numbers a report's prose quotes about itself, one row
-- per document × claim, written by the loader in the same transaction as the document's cells and
-- replaced with them. R8 (dbt: int_prose_checks → fct_rule_checks) compares them with the cells.
create table if not exists raw.claims (
    document_id bigint not null,
    claim_no integer not null check (claim_no >= 1),
    measure text not null,
    value numeric not null,
    raw_text text,
    period text not null check (period in ('report_year', 'previous_year', 'unclear')),
    sentence text,
    page integer check (page is null or page >= 1),
    char_offset integer check (char_offset is null or char_offset >= 0),
    constraint claims_pkey primary key (document_id, claim_no)
);
comment on table raw.claims is
    'One row per document x number its prose quotes about itself (extractors/claims.py): the measure named '
    '(a code of extractors.claims.MEASURES), the value, the words as printed, the period it is about, the '
    'sentence, the page and the character offset of the number in the document''s text.';
comment on column raw.claims.period is
    'report_year: about the report''s own year; previous_year: about the year before (上年…, not compared '
    'with this report''s cells); unclear: another year or a span ("2019年截至目前").';
