-- 0066_worker_failing: what the running worker's lanes have been failing on, beside its heartbeat.
--
-- The heartbeat has its own thread: it kept beating while every other lane of the worker failed
-- (each restarted every 2 s on the same fault), so `doctor` said "running" of a worker that
-- delivered nothing. Each beat now also writes the lanes' faults of the last minute (how many,
-- and the last one: the lane, the fault's type and message; no personal data: what the worker's
-- log says) or NULL when there were none; a new owner starts with NULL.
ALTER TABLE worker_heartbeat ADD COLUMN failing TEXT;
