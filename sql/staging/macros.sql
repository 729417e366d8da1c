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
