-- The scope predicates the output queries use (temporary: they read the scope tables).
-- With no station set (zhian_station NULL) every predicate is true.
create or replace temp macro in_scope_compound(c) as
    getvariable('zhian_station') is null or c in (select compound from scope_compounds);

create or replace temp macro in_scope_file(f) as
    getvariable('zhian_station') is null or f in (select file_id from scope_files);

create or replace temp macro in_scope_unit(u) as
    getvariable('zhian_station') is null or u in (select unit from scope_units);
