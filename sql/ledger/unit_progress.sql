-- unit_progress(as_of_date): per campaign and responsible unit (牵头单位/责任单位), its ledger
-- items as of a date — what the fortnightly 督导检查 reads to call in "综合进度靠后的单位".
-- An item with several units counts once for each unit; an item for several compounds (全部)
-- once. signed_off_share = signed off / items; rank 1 = furthest ahead: fewest overdue items,
-- then the highest share, then the unit's name. lagging (靠后): a unit with an overdue item
-- in the bottom third of the ranking (the last unit at least). With a station, only the items
-- of its compounds count (a station's dashboard and 月报 rank the units on its own compounds).
create or replace macro unit_progress(as_of_date, station := null) as table
with

items as (
    select campaign, unnest(units) as unit, item_key, deadline, is_signed_off, signed_off_on
    from ledger_items
    where units is not null and len(units) > 0 and compound_in_station(compound, station)
),

counted as (
    select
        campaign,
        unit,
        item_key,
        bool_or(deadline <= cast(as_of_date as date)) as due,
        bool_or(signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))) as signed_off,
        bool_or(deadline < cast(as_of_date as date)
                and not signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))) as overdue,
        bool_or(deadline between cast(as_of_date as date) and cast(as_of_date as date) + 14
                and not signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))) as due_soon
    from items
    group by campaign, unit, item_key
),

units as (
    select
        campaign,
        unit,
        count(*) as items,
        count(*) filter (where due) as due,
        count(*) filter (where signed_off) as signed_off,
        count(*) filter (where overdue) as overdue,
        count(*) filter (where due_soon) as due_soon,
        count(*) filter (where signed_off) / count(*)::double as signed_off_share
    from counted
    group by campaign, unit
),

ranked as (
    select
        *,
        row_number() over (partition by campaign order by overdue, signed_off_share desc, unit) as rank,
        count(*) over (partition by campaign) as units_in_campaign
    from units
)

select
    campaign,
    unit,
    cast(as_of_date as date) as as_of,
    items,
    due,
    signed_off,
    overdue,
    due_soon,
    signed_off_share,
    rank,
    overdue > 0 and rank > units_in_campaign - greatest(1, units_in_campaign // 3) as lagging
from ranked
