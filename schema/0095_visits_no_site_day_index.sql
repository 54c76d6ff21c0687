-- 0095_visits_no_site_day_index: an arrival no longer writes an index that no query reads.
--
-- visits_site_day (site_id, business_day), from 0001, is written at every arrival. No query
-- reads visits by site or by day: the desks, the reports and the rollup read a day's visits
-- through the event log (events_day, events_visit) and visit_facts (visit_facts_day), and
-- visits itself only by its id (EXPLAIN QUERY PLAN of every statement the queue, report,
-- rollup and day-end tests run, on a populated demo office: visits_site_day appeared only as
-- the smallest index to count the rows with, which the table itself does as well).
DROP INDEX visits_site_day;
