-- compare(lhs, op, rhs): a target's comparison, written once. Callers multiply both sides
-- so that they compare integers or exact decimals, never rounded floats.
create or replace macro compare(lhs, op, rhs) as
    case op
        when '>=' then lhs >= rhs
        when '>' then lhs > rhs
        when '<=' then lhs <= rhs
        when '<' then lhs < rhs
        when '=' then lhs = rhs
    end;

-- rate_status(window_state, numerator, denominator, target_op, target_percent): the status of
-- a rate (rates and stock rates). No denominator: no data. Met when
-- numerator * 100 op target% * denominator, exactly; while the window runs, the to-date rate
-- is the pace (on_track / at_risk).
create or replace macro rate_status(window_state, numerator, denominator, target_op, target_percent) as
    case
        when window_state in ('not_started', 'not_covered') or coalesce(denominator, 0) = 0 then 'no_data'
        when compare(numerator * 100, target_op, target_percent * denominator)
            then case when window_state = 'over' then 'met' else 'on_track' end
        else case when window_state = 'over' then 'missed' else 'at_risk' end
    end;

-- ratio(window_state, numerator, denominator): a rate as a fraction, once the window has
-- started and when there is a denominator.
create or replace macro ratio(window_state, numerator, denominator) as
    case when window_state not in ('not_started', 'not_covered') and denominator > 0 then numerator / denominator::double end;

-- binomial_p_value(actual, baseline): is a count change real? The exact two-sided p-value of
-- "the rate did not change" over two equal windows, given actual + baseline events: actual ~
-- Binomial(actual + baseline, 1/2) (the conditional binomial test; scipy.stats.binomtest gives
-- the same, tests/test_significance.py checks it). The distribution is symmetric, so the
-- two-sided p-value is twice the smaller tail P(X ≤ m), m = least(actual, baseline), at most 1.
-- The tail's terms fall off like exp(-2j²/n) below m: the ones more than 5·√n + 10 below it
-- add less than 1e-12 of the sum (under double precision's own rounding of it), so they are
-- not computed — on 10M alerts that makes the test cost 0.1 s instead of 0.4 s. No events:
-- NULL (nothing to test).
create or replace macro binomial_p_value(actual, baseline) as
    case
        when actual + baseline = 0 then null
        when actual = baseline then 1.0
        else least(1.0, 2 * list_sum(list_transform(
            range(
                greatest(0, least(actual, baseline) - ceil(5 * sqrt(actual + baseline)) - 10)::bigint,
                least(actual, baseline)::bigint + 1
            ),
            lambda i: exp(lgamma(actual + baseline + 1) - lgamma(i + 1) - lgamma(actual + baseline - i + 1)
                          - (actual + baseline) * ln(2))
        )))
    end;
