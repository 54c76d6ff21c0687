-- 0028_visit_facts_report_indexes: the reports' reads of visit_facts (schema/0024) in the order
-- they add up, so that SQLite groups them as it reads instead of sorting every visit of the
-- range first.
--
-- Each index holds only columns written once: at the visit's arrival (visit_facts_day), at its
-- finish (visit_facts_finish, visit_facts_served: partial, only finished visits), so a desk's
-- call never updates them.
--
-- Measured on generated history (3 years x 3 offices: `python -m tests.benchmarks annual`), the
-- annual report's two years (496,000 visits, 480,000 finishes), CPU time of each read:
--   arrivals by day, site, hour, service and channel: 640 ms -> 270 ms;
--   finishes by day, site, service, outcome and what they recorded: 730 ms -> 250 ms;
--   service times by day, site, desk and person: 525 ms -> 110 ms.
-- Checked with EXPLAIN QUERY PLAN in tests/test_query_plans.py.
CREATE INDEX visit_facts_day ON visit_facts
    (business_day, site_id, local_hour, service_code, channel, urgent, repeat, needs);

CREATE INDEX visit_facts_finish ON visit_facts
    (finish_day, site_id, coalesce(finish_service, ''), outcome, finish_ticket IS NULL,
     signposted_to, assisted_digital, avoidable)
    WHERE finish_day IS NOT NULL;

CREATE INDEX visit_facts_served ON visit_facts
    (finish_day, site_id, finish_desk, finish_actor, service_ms)
    WHERE finish_day IS NOT NULL AND finish_ticket IS NOT NULL;
