-- Alerts per campaign, compound, weekday (1 = Monday) and hour: in the campaign window up to
-- the day its alert targets are evaluated to (本期), and on the same dates a year earlier
-- (同期) — where and when patrols help (巡逻守护). Alerts marked invalid (无效警情) do not count.
-- An alert at exactly 00:00:00 is taken as one exported without its time: counted apart
-- (without_time), not as a midnight alert. $evaluation; $alert_metrics: the codes of the
-- metrics counted from alerts (the catalogue's); $station: one station's compounds (NULL: all).
with

windows as (
    select
        campaign,
        compound,
        min(window_start) as window_start,
        max(current_end) as current_end,
        min(baseline_start) as baseline_start,
        max(baseline_end) as baseline_end
    from metric_history
    where evaluation_id = $evaluation
      and list_contains($alert_metrics, metric)
      and window_state in ('running', 'over')
      and compound_in_station(compound, $station)
    group by campaign, compound
),

counted as (
    select
        windows.campaign,
        windows.compound,
        case when alerts.alarm_date >= windows.window_start then '本期' else '同期' end as period,
        isodow(alerts.alarm_at) as weekday,
        hour(alerts.alarm_at) as hour,
        alerts.alarm_at::time = time '00:00:00' as without_time
    from windows
    join stg_alerts as alerts
      on alerts.compound = windows.compound
     and (alerts.alarm_date between windows.window_start and windows.current_end
          or alerts.alarm_date between windows.baseline_start and windows.baseline_end)
    where not coalesce(alerts.is_invalid, false)
)

select
    campaign,
    compound,
    period,
    weekday,
    hour,
    count(*) filter (where not without_time) as alerts,
    count(*) filter (where without_time) as without_time
from counted
group by all
order by campaign, compound, period, weekday, hour
