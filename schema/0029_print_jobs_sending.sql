-- 0029_print_jobs_sending: the print jobs being delivered, by owner and printer.
--
-- A ticket's print job is handed, claimed, to the running owner of the devices in the
-- transaction that issues the ticket; that owner's lane for the printer looks for the jobs
-- handed to it beside the queued ones (print_jobs_lane), and a new owner looks for the jobs an
-- earlier one left mid-delivery. Without this index both read every print job ever kept.
-- Partial: only the few rows being delivered. Checked with EXPLAIN QUERY PLAN in
-- tests/test_query_plans.py.
CREATE INDEX print_jobs_sending ON print_jobs (owner, printer_url, id) WHERE status = 'printing';
