-- compound_names: every name a compound is known by — its registry name and each of its
-- aliases (、-separated) — what a target row or a ledger item may call it.
select compound, compound as name from compounds
union
select compound, trim(unnest(string_split(aliases, '、'))) as name
from compounds
where aliases is not null
