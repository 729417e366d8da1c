-- cohort rates: the numerator is part of the denominator
select * from metric_results
where kind = 'rate' and rate_definition = 'cohort' and numerator > denominator
