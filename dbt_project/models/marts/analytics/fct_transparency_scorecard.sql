-- The transparency scorecard: one row per current report (publisher × report year), scored by the
-- latest method of the seed scorecard_weights (weights and thresholds, versioned). Each component is a
-- measure x turned into a score by the seed's thresholds, clamp((x - zero_marks_at) /
-- (full_marks_at - zero_marks_at), 0, 1); a component whose measure is unknown is left out and the
-- total is re-weighted over the known ones (score_coverage says how much of the weight that is). The
-- method is in the model docs (_analytics__docs.md).
{{ config(indexes=[
    {'columns': ['report_key'], 'unique': True},
    {'columns': ['government_unit_key', 'report_year']},
]) }}

with

weights as (

    select * from {{ ref('scorecard_weights') }}
    where method_version = (select max(seed.method_version) from {{ ref('scorecard_weights') }} as seed)

),

reports as (

    select * from {{ ref('rpt_report_overview') }}

),

units as (

    select * from {{ ref('dim_government_unit') }}

),

years as (

    select * from {{ ref('dim_report_year') }}

),

checks as (

    select
        report_key,
        count(*) filter (where rule_id in ({{ sql_list(balancing_rule_ids()) }}) and status = 'PASS') as balance_pass,
        count(*) filter (where rule_id in ({{ sql_list(balancing_rule_ids()) }}) and status = 'FAIL') as balance_fail,
        count(*) filter (
            where rule_id in ({{ sql_list(balancing_rule_ids()) }}) and status = 'UNCERTAIN'
        ) as balance_uncertain,
        count(*) filter (where rule_id = 'R7' and status = 'PASS') as carry_over_pass,
        count(*) filter (where rule_id = 'R7' and status = 'FAIL') as carry_over_fail,
        count(*) filter (where rule_id = 'R7' and status = 'UNCERTAIN') as carry_over_uncertain,
        count(*) filter (where rule_id = 'R8' and status = 'PASS') as prose_pass,
        count(*) filter (where rule_id = 'R8' and status = 'FAIL') as prose_fail,
        count(*) filter (where rule_id = 'R8' and status = 'UNCERTAIN') as prose_uncertain
    from {{ ref('fct_rule_checks') }}
    group by report_key

),

rates as (

    select
        report_key,
        max(value) filter (where measure_code = 'completeness_share') as completeness_share,
        max(value) filter (where measure_code = 'granted_share') as granted_share,
        max(value) filter (where measure_code = 'refused_share') as refused_share,
        {% for code in withheld_row_codes() %}
            max(value) filter (where measure_code = 'refused_share:{{ code }}') as refused_share_{{ code[9:] }},
        {% endfor %}
        max(value) filter (where measure_code = 'review_correction_rate') as review_correction_rate,
        max(value) filter (where measure_code = 'litigation_correction_rate') as litigation_correction_rate,
        max(value) filter (where measure_code = 'correction_rate') as correction_rate
    from {{ ref('int_report_measures') }}
    where measure_kind = 'derived'
    group by report_key

),

facts as (

    select
        reports.report_key,
        reports.government_unit_key,
        reports.publisher_name,
        units.level,
        units.parent_region,
        units.parent_region_code,
        -- the rank's region: the 行政区划代码 of the division above the unit where the region hierarchy
        -- found it, else the parent region's name (registry or parsed)
        coalesce(units.parent_region_code, units.parent_region) as rank_region,
        reports.report_year,
        reports.format_version,
        reports.published_on,
        -- 条例 art. 49: departments publish by 31 January, governments by 31 March
        case when units.level = '部门' then years.department_deadline else years.government_deadline end
            as deadline,
        coalesce(checks.balance_pass, 0) as balance_pass,
        coalesce(checks.balance_fail, 0) as balance_fail,
        coalesce(checks.balance_uncertain, 0) as balance_uncertain,
        coalesce(checks.carry_over_pass, 0) as carry_over_pass,
        coalesce(checks.carry_over_fail, 0) as carry_over_fail,
        coalesce(checks.carry_over_uncertain, 0) as carry_over_uncertain,
        coalesce(checks.prose_pass, 0) as prose_pass,
        coalesce(checks.prose_fail, 0) as prose_fail,
        coalesce(checks.prose_uncertain, 0) as prose_uncertain,
        rates.completeness_share,
        rates.granted_share,
        rates.refused_share,
        {% for code in withheld_row_codes() %}
            rates.refused_share_{{ code[9:] }},
        {% endfor %}
        rates.review_correction_rate,
        rates.litigation_correction_rate,
        rates.correction_rate
    from reports
    left join units
        on reports.government_unit_key = units.government_unit_key
    left join years
        on reports.report_year = years.report_year
    left join checks
        on reports.report_key = checks.report_key
    left join rates
        on reports.report_key = rates.report_key

),

measured as (

    select
        facts.*,
        case
            when facts.published_on is null or facts.deadline is null then 'unknown'
            when facts.published_on <= facts.deadline then 'on_time'
            else 'late'
        end as timeliness,
        -- (greatest() skips nulls: without a date the days late are unknown, not 0)
        case
            when facts.published_on is not null and facts.deadline is not null
                then greatest(facts.published_on - facts.deadline, 0)
        end as days_late,
        round(cast(facts.balance_pass as numeric) / nullif(facts.balance_pass + facts.balance_fail, 0), 4)
            as balance_share,
        round(
            cast(facts.carry_over_pass as numeric) / nullif(facts.carry_over_pass + facts.carry_over_fail, 0), 4
        ) as carry_over_share,
        round(cast(facts.prose_pass as numeric) / nullif(facts.prose_pass + facts.prose_fail, 0), 4)
            as prose_share
    from facts

),

components as (

    -- one row per report × component: the measure the seed's thresholds turn into a score
    select
        measured.report_key,
        component.name,
        weights.weight,
        case
            when component.x is not null
                then least(1, greatest(
                    0,
                    (component.x - weights.zero_marks_at) / (weights.full_marks_at - weights.zero_marks_at)
                ))
        end as score
    from measured
    cross join
        lateral (
            values
            ('timeliness', cast(measured.days_late as numeric)),
            ('completeness', measured.completeness_share),
            ('balance', measured.balance_share),
            ('carry_over', measured.carry_over_share),
            ('prose', measured.prose_share),
            ('openness', measured.granted_share)
        ) as component (name, x)
    inner join weights
        on component.name = weights.component

),

totals as (

    select
        report_key,
        {% for name in ['timeliness', 'completeness', 'balance', 'carry_over', 'prose', 'openness'] %}
            round(max(score) filter (where name = '{{ name }}'), 4) as {{ name }}_score,
        {% endfor %}
        round(sum(weight) filter (where score is not null) / nullif(sum(weight), 0), 4) as score_coverage,
        round(
            100 * sum(weight * score) filter (where score is not null)
            / nullif(sum(weight) filter (where score is not null), 0), 1
        ) as weighted_score
    from components
    group by report_key

),

scored as (

    select
        measured.*,
        totals.timeliness_score,
        totals.completeness_score,
        totals.balance_score,
        totals.carry_over_score,
        totals.prose_score,
        totals.openness_score,
        totals.score_coverage,
        case
            when
                totals.score_coverage >= (
                    select weights.weight from weights
                    where weights.component = 'minimum_coverage'
                )
                then totals.weighted_score
        end as total_score,
        (select max(weights.method_version) from weights) as method_version
    from measured
    left join totals
        on measured.report_key = totals.report_key

)

select
    report_key,
    government_unit_key,
    publisher_name,
    level,
    parent_region,
    parent_region_code,
    report_year,
    format_version,
    method_version,
    published_on,
    deadline,
    timeliness,
    days_late,
    timeliness_score,
    completeness_share,
    completeness_score,
    cast(balance_pass as integer) as balance_pass,
    cast(balance_fail as integer) as balance_fail,
    cast(balance_uncertain as integer) as balance_uncertain,
    balance_score,
    cast(carry_over_pass as integer) as carry_over_pass,
    cast(carry_over_fail as integer) as carry_over_fail,
    cast(carry_over_uncertain as integer) as carry_over_uncertain,
    carry_over_score,
    cast(prose_pass as integer) as prose_pass,
    cast(prose_fail as integer) as prose_fail,
    cast(prose_uncertain as integer) as prose_uncertain,
    case
        when prose_pass + prose_fail + prose_uncertain = 0 then 'unknown'
        when prose_fail > 0 then 'contradicted'
        when prose_uncertain > 0 then 'uncertain'
        else 'consistent'
    end as prose_status,
    prose_score,
    granted_share,
    openness_score,
    refused_share,
    {% for code in withheld_row_codes() %}
        refused_share_{{ code[9:] }},
    {% endfor %}
    review_correction_rate,
    litigation_correction_rate,
    correction_rate,
    score_coverage,
    total_score,
    case
        when total_score is not null and rank_region is not null
            then cast(rank() over peers as integer)
    end as rank_in_region,
    case
        when total_score is not null and rank_region is not null
            then cast(count(*) over region as integer)
    end as units_ranked_in_region
from scored
window
    region as (partition by report_year, level, rank_region, (total_score is not null and rank_region is not null)),
    peers as (region order by total_score desc)
