-- 0093_call_order_arrival: the waiting tickets' index follows the call order again.
--
-- Residents who arrive in the same instant (the same millisecond: two meet-and-greet desks at
-- once) are called in the order they were recorded. The call order's last term was the ticket
-- id, and a transfer makes a newer ticket that keeps its arrival: a resident transferred to
-- Benefits then followed one recorded after them in that instant. The call order
-- (oss_desk/domain/queue.py CALL_ORDER) now orders them by their visit (made at the arrival,
-- kept by a transfer) before the ticket. The same index with the new term, in its place, so call
-- next still stops at the first ticket the desk may call (no TEMP B-TREE);
-- tests/test_query_plans.py holds the plans to it.
DROP INDEX tickets_call_order;
CREATE INDEX tickets_call_order
    ON tickets (
        business_day, site_id, assigned_desk_id IS NULL, assigned_person IS NULL,
        priority DESC, queued_at, visit_id, id
    )
    WHERE status = 'waiting';
