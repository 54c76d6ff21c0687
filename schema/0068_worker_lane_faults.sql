-- 0068_worker_lane_faults: how many faults the lane that failed most had, beside the faults said.
--
-- `failing` (0066) says the lanes' recent faults; doctor called the worker "running but
-- failing" (exit 1) on a single one, such as one StorageBusy while a backup held the write turn.
-- Each beat now also writes the most faults any one lane had in the span the faults are said
-- for, so doctor tells a lane that keeps failing (exit 1) from a blip (a warning); the rule is
-- oss_desk/domain/worker_faults.py. A new owner starts with 0.
ALTER TABLE worker_heartbeat ADD COLUMN lane_faults INTEGER NOT NULL DEFAULT 0 CHECK (lane_faults >= 0);
