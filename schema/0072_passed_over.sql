-- 0072_passed_over: the desk a resident was transferred from passes over them on its next call.
--
-- A ticket transferred to another service keeps its arrival, so its place: "call next" at the
-- same desk called the same resident straight back, whom the adviser had just sent elsewhere.
-- The new ticket records the desk it was transferred from (passed_over_by) until that desk's
-- next call, which takes anyone else it may call first (oss_desk/domain/queue.py passed_over);
-- every call clears the calling desk's marks, through the partial index (a few rows at most).
ALTER TABLE tickets ADD COLUMN passed_over_by TEXT;
CREATE INDEX tickets_passed_over ON tickets (passed_over_by) WHERE passed_over_by IS NOT NULL;
