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
        when window_state = 'not_started' or coalesce(denominator, 0) = 0 then 'no_data'
        when compare(numerator * 100, target_op, target_percent * denominator)
            then case when window_state = 'over' then 'met' else 'on_track' end
        else case when window_state = 'over' then 'missed' else 'at_risk' end
    end;

-- ratio(window_state, numerator, denominator): a rate as a fraction, once the window has
-- started and when there is a denominator.
create or replace macro ratio(window_state, numerator, denominator) as
    case when window_state <> 'not_started' and denominator > 0 then numerator / denominator::double end;
