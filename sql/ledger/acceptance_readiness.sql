-- acceptance_readiness: per campaign × compound of metric_results (the latest published
-- evaluation), ready for 验收摘牌 or what blocks it — see readiness(). Other tools rely on
-- this name.
select * from readiness((select max(evaluation_id) from metric_evaluations where published))
