-- 0031_visit_facts_covering: the reports' two widest reads of visit_facts answered from an index
-- alone, without looking up each visit's row.
--
-- visit_facts_day (schema/0028) also holds the facts that decide what became of each visit and
-- its wait (arrival, booked start, first attended call, resolution at meet-and-greet, first
-- call, how and when it ended), after the columns the arrivals are grouped by, so that the count
-- of what became of each visit (oss_desk/storage/reports_visits.py) reads it in (day, site)
-- order like the arrivals do. Unlike 0028's columns, these change during a visit: a desk's call
-- and its finish now each rewrite the visit's entry (the same single row update as before,
-- and one more index entry; no index is added).
--
-- visit_facts_finish (schema/0028) also holds the two columns its expressions come from
-- (finish_service, finish_ticket): SQLite (3.40) reads an expression's columns, not the
-- expression, from an index, so without them it looked up each finished visit's row. Written
-- once, at the finish, as before.
--
-- Measured on generated history (3 years x 3 offices: `python -m tests.benchmarks annual`), the
-- annual report's two years (496,000 visits, 480,000 finishes), CPU time of each read:
--   what became of each visit:  395 ms -> 252 ms  (the arrivals: 245 ms -> 262 ms);
--   finishes by what they recorded:  243 ms -> 170 ms.
-- One queue cycle (issue, call next, finish: `python -m tests.benchmarks table`, its cycle row,
-- by table and index) writes 42.4 WAL pages instead of 39.7 (visit_facts_day 4.2 instead of
-- 1.5); its CPU time did not change measurably. Checked with EXPLAIN QUERY PLAN in
-- tests/test_query_plans.py.
DROP INDEX visit_facts_day;
CREATE INDEX visit_facts_day ON visit_facts
    (business_day, site_id, local_hour, service_code, channel, urgent, repeat, needs,
     arrived_ms, booked_ms, attended_ms, quick_ms, first_call_ms, ended, ended_ms);

DROP INDEX visit_facts_finish;
CREATE INDEX visit_facts_finish ON visit_facts
    (finish_day, site_id, coalesce(finish_service, ''), outcome, finish_ticket IS NULL,
     signposted_to, assisted_digital, avoidable, finish_service, finish_ticket)
    WHERE finish_day IS NOT NULL;
