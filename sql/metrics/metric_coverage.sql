-- metric_coverage: per compound and source, the coverage the compound's figures rest on —
-- its station's exports, or exports naming no unit (they cover every station), whichever
-- reaches further; a compound whose station is unknown takes the source's newest coverage.
-- No row: no export of the source covers the compound (its figures are 无数据).
with

compounds as (
    select compound, station from compound_stations
),

coverage as (
    select * from source_coverage where covered_to is not null
),

candidates as (
    -- the compound's own station
    select compounds.compound, coverage.source, coverage.covered_to, coverage.basis
    from compounds
    join coverage on coverage.station = compounds.station
    union all
    -- exports naming no unit
    select compounds.compound, coverage.source, coverage.covered_to, coverage.basis
    from compounds
    join coverage on coverage.station is null
    union all
    -- a compound of no known station
    select compounds.compound, coverage.source, coverage.covered_to, coverage.basis
    from compounds
    join coverage on compounds.station is null
),

final as (
    select compound, source, max(covered_to) as covered_to, arg_max(basis, covered_to) as basis
    from candidates
    group by compound, source
)

select * from final
