-- 0007_report_indexes: the two event-log indexes the reports read, widened to cover them, and
-- the appointment of a ticket (looked up at every finish).
--
-- Measured on generated history (3 years x 3 offices, 740,000 visits, 3.3 million events:
-- `python -m tests.benchmarks reports`): the monthly dashboard and its 12-month trend read
-- hundreds of thousands of events; with these columns in the index they are read from the index
-- alone instead of one table row each (about 30% less time), at no extra index per insert (each
-- replaces an index of the same name, so every query that used it still does).

-- Day ranges of one kind (arrivals, calls, finishes, no-shows, appointment events), with what the
-- reports count: outcome, whether a ticket was involved, and the visit.
DROP INDEX events_day;
CREATE INDEX events_day ON events (business_day, kind, site_id, outcome, ticket_id, visit_id);

-- A visit's events (its arrival and first contact), with the ticket and the day of each.
DROP INDEX events_visit;
CREATE INDEX events_visit ON events (visit_id, kind, at, ticket_id, business_day);

-- Finishing a ticket marks the appointment it was issued for as attended (and the desk looks the
-- appointment up by its ticket): without an index, each finish read every appointment ever
-- booked (37,000 after 3 years at 3 offices).
CREATE INDEX appointments_ticket ON appointments (ticket_id) WHERE ticket_id IS NOT NULL;

-- The day's tickets (the live queue every desk redraws after each change, a ticket found by its
-- code, the day's list) and the days' appointments (the week grid). The older indexes start
-- with site_id, which these queries leave open ("this site or all of them"), so after 3 years at
-- 3 offices each read scanned every ticket: 27 ms for the live queue, 33 ms to find "C012",
-- 3 ms for a week of appointments; 0.2, 0.1 and 0.3 ms with these.
CREATE INDEX tickets_by_day ON tickets (business_day, service_code, number);
CREATE INDEX appointments_by_day ON appointments (business_day, starts_at);
