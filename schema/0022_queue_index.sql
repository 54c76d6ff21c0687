-- 0022_queue_index: call next and the live queue read only today's live tickets, in the call
-- order, whatever the size of the day.
--
-- Call next used tickets_day (site_id, business_day, service_code): it read every ticket of the
-- day (finished ones too) and sorted them for the call order, so it slowed as the day filled
-- (0.38 ms at 1,000 tickets, 0.86 ms at 5,000). The live queue every desk redraws after each
-- change read the whole day through tickets_by_day the same way.
--
-- tickets_call_order holds only the waiting tickets, keyed in the one call order
-- (oss_desk/domain/queue.py: sent to a desk first, then priority, then the arrival, then the id):
-- call next walks it from the front and stops at the first ticket the desk may call. The live
-- queue reads it and tickets_at_desk (the called and serving tickets: at most one a desk).
-- tests/test_query_plans.py holds both plans to it (EXPLAIN QUERY PLAN).
--
-- It replaces tickets_waiting (the waiting tickets in an order that is not the call order, which
-- no query used) and tickets_day (whose reads tickets_by_day serves): one index fewer to write
-- for every ticket issued.
DROP INDEX tickets_waiting;
DROP INDEX tickets_day;
CREATE INDEX tickets_call_order
    ON tickets (business_day, site_id, assigned_desk_id IS NULL, priority DESC, queued_at, id)
    WHERE status = 'waiting';
