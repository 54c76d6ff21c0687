-- 0041_appointment_not_seen: an appointment's resident who checked in (a ticket was issued)
-- and was never seen because the day closed: its ticket closed as "office closed". They came
-- (not a no-show; the appointment counts as kept, as every check-in does) and were not seen
-- (not attended). The appointment was left 'checked_in', so the appointments screen still said
-- they were here after close of day while their ticket said closed
-- (oss_desk/domain/appointments.py, AppointmentStatus.NOT_SEEN).
--
-- The status CHECK gains 'not_seen'. SQLite cannot change a CHECK constraint in place, and
-- appointments is referenced by other tables (contacts, messages, events), so it is not
-- rebuilt: the constraint is widened in the stored schema, the procedure SQLite documents for
-- loosening a constraint ("Making Other Kinds Of Table Schema Changes"): no stored row can
-- break a constraint that only admits one more value. RESET makes this connection read the new
-- text at once; the index re-made below changes the schema, so every other connection does too.
PRAGMA writable_schema = ON;

UPDATE sqlite_master
SET sql = replace(sql, '''no_show'', ''cancelled'')', '''no_show'', ''cancelled'', ''not_seen'')')
WHERE type = 'table' AND name = 'appointments'
  AND instr(sql, '''no_show'', ''cancelled'')') > 0;

PRAGMA writable_schema = RESET;

DROP INDEX appointments_due;
CREATE INDEX appointments_due ON appointments (starts_at) WHERE status = 'booked';
