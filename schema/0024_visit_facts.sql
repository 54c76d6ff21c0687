-- 0024_visit_facts: one compact row per visit with what the reports count of it, kept by
-- triggers on the event log (in the same transaction as each event, for every writer), so that
-- a report over a year reads one narrow row per visit instead of every event and its JSON.
--
-- Measured on generated history (3 years x 3 offices, 3.3 million events:
-- `python -m tests.benchmarks annual`): counting the annual report's two years from the event
-- log read 2.2 million event rows and their JSON; the same figures from these rows read 496,000
-- rows of a few integers and short texts. The rows are derived data only: the event log stays
-- the record (and its hash chain is untouched); `tests/test_visit_facts.py` relates every row to
-- the events it comes from.
--
-- Instants are epoch milliseconds (the reports' unit), converted once here.
--   arrival (the 'arrived' event): site, business day, local hour, service, channel, flags, needs
--   first_call_ms: the earliest 'called'; quick_ms: the earliest finish without a ticket (at
--   meet-and-greet); ended: how the visit ended last, the latest 'finished', 'no_show' or
--   'cancelled' by instant then id, packed as 'at id kind' (id zero-padded to 20 digits) so that
--   max() picks it, with its instant (ended_ms); gone: any 'no_show' or 'cancelled'.
--   finish (the one 'finished' event): its business day (at the visit's site: every event of a
--   visit is at its site), service, outcome, whether it
--   had a ticket, what it recorded (signposted to, assisted digital, avoidable), desk, person,
--   and the ticket's service time (finish minus the ticket's call, else its serving; NULL
--   without either).
-- No personal data: the same facts the events hold.
CREATE TABLE visit_facts (
    visit_id          INTEGER PRIMARY KEY,
    site_id           TEXT,
    business_day      TEXT,
    local_hour        INTEGER,
    service_code      TEXT,
    channel           TEXT,
    urgent            INTEGER,
    repeat            INTEGER,
    needs             TEXT,
    arrived_ms        INTEGER,
    first_call_ms     INTEGER,
    quick_ms          INTEGER,
    ended             TEXT,
    ended_ms          INTEGER,
    gone              INTEGER NOT NULL DEFAULT 0,
    finish_day        TEXT,
    finish_service    TEXT,
    outcome           TEXT,
    finish_ticket     INTEGER,
    signposted_to     TEXT,
    assisted_digital  INTEGER,
    avoidable         INTEGER,
    finish_desk       TEXT,
    finish_actor      TEXT,
    service_ms        INTEGER
) STRICT;

CREATE TRIGGER visit_facts_arrived AFTER INSERT ON events
WHEN NEW.kind = 'arrived' AND NEW.visit_id IS NOT NULL
BEGIN
    INSERT INTO visit_facts (visit_id, site_id, business_day, local_hour, service_code, channel,
                             urgent, repeat, needs, arrived_ms)
    VALUES (NEW.visit_id, NEW.site_id, NEW.business_day, NEW.local_hour, NEW.service_code,
            coalesce(json_extract(NEW.data, '$.channel'), 'walk_in'),
            coalesce(json_extract(NEW.data, '$.urgent'), 0),
            coalesce(json_extract(NEW.data, '$.repeat'), 0),
            json_extract(NEW.data, '$.needs'),
            CAST(round((julianday(NEW.at) - 2440587.5) * 86400000.0) AS INTEGER))
    ON CONFLICT (visit_id) DO UPDATE SET
        site_id = excluded.site_id, business_day = excluded.business_day,
        local_hour = excluded.local_hour, service_code = excluded.service_code,
        channel = excluded.channel, urgent = excluded.urgent, repeat = excluded.repeat,
        needs = excluded.needs, arrived_ms = excluded.arrived_ms;
END;

CREATE TRIGGER visit_facts_called AFTER INSERT ON events
WHEN NEW.kind = 'called' AND NEW.visit_id IS NOT NULL
BEGIN
    INSERT INTO visit_facts (visit_id, first_call_ms)
    VALUES (NEW.visit_id, CAST(round((julianday(NEW.at) - 2440587.5) * 86400000.0) AS INTEGER))
    ON CONFLICT (visit_id) DO UPDATE SET
        first_call_ms = min(coalesce(first_call_ms, excluded.first_call_ms),
                            excluded.first_call_ms);
END;

CREATE TRIGGER visit_facts_ended AFTER INSERT ON events
WHEN NEW.kind IN ('finished', 'no_show', 'cancelled') AND NEW.visit_id IS NOT NULL
BEGIN
    INSERT INTO visit_facts (visit_id, ended, ended_ms, gone, quick_ms)
    VALUES (NEW.visit_id, NEW.at || ' ' || printf('%020d', NEW.id) || ' ' || NEW.kind,
            CAST(round((julianday(NEW.at) - 2440587.5) * 86400000.0) AS INTEGER),
            NEW.kind <> 'finished',
            CASE WHEN NEW.kind = 'finished' AND NEW.ticket_id IS NULL
                 THEN CAST(round((julianday(NEW.at) - 2440587.5) * 86400000.0) AS INTEGER) END)
    ON CONFLICT (visit_id) DO UPDATE SET
        ended = max(coalesce(ended, ''), excluded.ended),
        ended_ms = CASE WHEN excluded.ended > coalesce(ended, '') THEN excluded.ended_ms
                        ELSE ended_ms END,
        gone = max(gone, excluded.gone),
        quick_ms = min(coalesce(quick_ms, excluded.quick_ms),
                       coalesce(excluded.quick_ms, quick_ms));
END;

CREATE TRIGGER visit_facts_finished AFTER INSERT ON events
WHEN NEW.kind = 'finished' AND NEW.visit_id IS NOT NULL
BEGIN
    INSERT INTO visit_facts (visit_id, finish_day, finish_service, outcome,
                             finish_ticket, signposted_to, assisted_digital, avoidable,
                             finish_desk, finish_actor, service_ms)
    VALUES (NEW.visit_id, NEW.business_day, NEW.service_code, NEW.outcome,
            NEW.ticket_id, json_extract(NEW.data, '$.signposted_to'),
            coalesce(json_extract(NEW.data, '$.assisted_digital'), 0),
            coalesce(json_extract(NEW.data, '$.avoidable'), 0), NEW.desk_id, NEW.actor,
            (SELECT CAST(round((julianday(NEW.at) - julianday(coalesce(t.called_at, t.serving_at)))
                               * 86400000.0) AS INTEGER)
             FROM tickets t WHERE t.id = NEW.ticket_id))
    ON CONFLICT (visit_id) DO UPDATE SET
        finish_day = excluded.finish_day,
        finish_service = excluded.finish_service, outcome = excluded.outcome,
        finish_ticket = excluded.finish_ticket, signposted_to = excluded.signposted_to,
        assisted_digital = excluded.assisted_digital, avoidable = excluded.avoidable,
        finish_desk = excluded.finish_desk, finish_actor = excluded.finish_actor,
        service_ms = excluded.service_ms;
END;

-- The visits recorded before this migration, from their events (the same values the triggers
-- give: instants compare as text, so the earliest text is the earliest instant).
INSERT INTO visit_facts
SELECT f.visit_id, f.site_id, f.business_day, f.local_hour, f.service_code, f.channel, f.urgent,
    f.repeat, f.needs, f.arrived_ms, f.first_call_ms, f.quick_ms, f.ended,
    CAST(round((julianday(substr(f.ended, 1, instr(f.ended, ' ') - 1)) - 2440587.5)
               * 86400000.0) AS INTEGER),
    f.gone, f.finish_day, f.finish_service, f.outcome, f.finish_ticket,
    f.signposted_to, f.assisted_digital, f.avoidable, f.finish_desk, f.finish_actor,
    (SELECT CAST(round((julianday(f.finish_at) - julianday(coalesce(t.called_at, t.serving_at)))
                       * 86400000.0) AS INTEGER)
     FROM tickets t WHERE t.id = f.finish_ticket)
FROM (
    SELECT visit_id,
        max(site_id) FILTER (WHERE kind = 'arrived') AS site_id,
        max(business_day) FILTER (WHERE kind = 'arrived') AS business_day,
        max(local_hour) FILTER (WHERE kind = 'arrived') AS local_hour,
        max(service_code) FILTER (WHERE kind = 'arrived') AS service_code,
        max(coalesce(json_extract(data, '$.channel'), 'walk_in'))
            FILTER (WHERE kind = 'arrived') AS channel,
        max(coalesce(json_extract(data, '$.urgent'), 0)) FILTER (WHERE kind = 'arrived') AS urgent,
        max(coalesce(json_extract(data, '$.repeat'), 0)) FILTER (WHERE kind = 'arrived') AS repeat,
        max(json_extract(data, '$.needs')) FILTER (WHERE kind = 'arrived') AS needs,
        max(CAST(round((julianday(at) - 2440587.5) * 86400000.0) AS INTEGER))
            FILTER (WHERE kind = 'arrived') AS arrived_ms,
        CAST(round((julianday(min(at) FILTER (WHERE kind = 'called')) - 2440587.5)
                   * 86400000.0) AS INTEGER) AS first_call_ms,
        CAST(round((julianday(min(at) FILTER (WHERE kind = 'finished' AND ticket_id IS NULL))
                    - 2440587.5) * 86400000.0) AS INTEGER) AS quick_ms,
        max(CASE WHEN kind <> 'called' AND kind <> 'arrived'
                 THEN at || ' ' || printf('%020d', id) || ' ' || kind END) AS ended,
        count(*) FILTER (WHERE kind IN ('no_show', 'cancelled')) > 0 AS gone,
        max(business_day) FILTER (WHERE kind = 'finished') AS finish_day,
        max(service_code) FILTER (WHERE kind = 'finished') AS finish_service,
        max(outcome) FILTER (WHERE kind = 'finished') AS outcome,
        max(ticket_id) FILTER (WHERE kind = 'finished') AS finish_ticket,
        max(json_extract(data, '$.signposted_to')) FILTER (WHERE kind = 'finished')
            AS signposted_to,
        max(coalesce(json_extract(data, '$.assisted_digital'), 0))
            FILTER (WHERE kind = 'finished') AS assisted_digital,
        max(coalesce(json_extract(data, '$.avoidable'), 0))
            FILTER (WHERE kind = 'finished') AS avoidable,
        max(desk_id) FILTER (WHERE kind = 'finished') AS finish_desk,
        max(actor) FILTER (WHERE kind = 'finished') AS finish_actor,
        max(at) FILTER (WHERE kind = 'finished') AS finish_at
    FROM events
    WHERE visit_id IS NOT NULL
      AND kind IN ('arrived', 'called', 'finished', 'no_show', 'cancelled')
    GROUP BY visit_id) AS f;
