-- 0032_print_jobs_due_pending: print_jobs_due holds the queued print jobs only.
--
-- Its condition was `status IN ('pending', 'printing')`, which no query states: every read of
-- what is due asks for `status = 'pending'`, and SQLite uses a partial index only when the
-- query's WHERE names the index's own condition (EXPLAIN QUERY PLAN showed it unused). It was
-- written all the same: a ticket's print job handed to the running owner of the devices is
-- queued 'printing', so the issue's commit wrote a page of this index, and the job's outcome
-- another. With the condition the queries state it is read (when any printer's next job comes
-- due, every job due now) and those two pages are gone. A job being delivered is found by
-- print_jobs_sending (0029). Checked with EXPLAIN QUERY PLAN in tests/test_query_plans.py.
DROP INDEX print_jobs_due;
CREATE INDEX print_jobs_due ON print_jobs (next_attempt_at) WHERE status = 'pending';
