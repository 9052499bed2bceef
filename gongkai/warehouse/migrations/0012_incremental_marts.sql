-- The facts, the pivots and the rule checks became incremental dbt models (one rebuild per changed
-- document, not per load). Their tables from earlier versions lack the columns the incremental builds
-- key on (loaded_at): drop them once so that the next `dbt build` creates them afresh. On a new
-- warehouse nothing exists yet and this does nothing. (Fails, and rolls back, if a view of your own
-- depends on one of them: drop it first.)
drop table if exists marts.fct_report_cells;
drop table if exists marts.fct_applications;
drop table if exists marts.fct_review_litigation;
drop table if exists marts.fct_proactive_disclosure;
drop table if exists intermediate.int_applications_pivoted;
drop table if exists intermediate.int_review_litigation_pivoted;
drop table if exists intermediate.int_proactive_pivoted;
drop table if exists intermediate.int_report_rule_checks;
