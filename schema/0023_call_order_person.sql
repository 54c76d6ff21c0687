-- 0023_call_order_person: the waiting tickets' index follows the call order again.
--
-- The counter (0020) put a ticket sent to a person right after one sent to a desk in the one call
-- order (oss_desk/domain/queue.py CALL_ORDER). tickets_call_order (0022) was keyed in the order
-- before that term, so call next had to sort every candidate again (a TEMP B-TREE in its plan)
-- instead of stopping at the first ticket the desk may call. The same index with the new term,
-- in its place; tests/test_query_plans.py holds the plans to it.
DROP INDEX tickets_call_order;
CREATE INDEX tickets_call_order
    ON tickets (
        business_day, site_id, assigned_desk_id IS NULL, assigned_person IS NULL,
        priority DESC, queued_at, id
    )
    WHERE status = 'waiting';
