-- item_status(as_of_date): per campaign and compound, its ledger items by progress as of a
-- date (an item's progress is the ledger's; one signed off after the date counts as not yet),
-- how many are overdue and how many are not due yet. The dashboard's and the report's
-- ledger section.
create or replace macro item_status(as_of_date) as table
select
    campaign,
    compound,
    count(*) as items,
    count(*) filter (where signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))) as signed_off,
    count(*) filter (where not signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))
                     and status = 'done') as done,
    count(*) filter (where not signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))
                     and status in ('in_progress', 'signed_off')) as in_progress,
    count(*) filter (where status = 'not_started') as not_started,
    count(*) filter (where deadline < cast(as_of_date as date)
                     and not signed_off_by(is_signed_off, signed_off_on, cast(as_of_date as date))) as overdue,
    count(*) filter (where deadline > cast(as_of_date as date) or deadline is null) as not_due
from ledger_items
group by campaign, compound
order by campaign, compound
