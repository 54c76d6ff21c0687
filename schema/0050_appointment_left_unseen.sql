-- 0050_appointment_left_unseen: an appointment's resident who checked in (a ticket was issued)
-- and was gone before being seen: their ticket ended as a no-show (not there when called) or
-- was cancelled because they left. They came (not a no-show of the appointment; it counts as
-- kept, as every check-in does) and were not seen (not attended). The appointment was left
-- 'checked_in', so the appointments screen still said they were here
-- (oss_desk/domain/appointments.py, AppointmentStatus.LEFT_UNSEEN and WHEN_TICKET_ENDS).
--
-- The status CHECK gains 'left_unseen', as 0041 gave it 'not_seen': SQLite cannot change a
-- CHECK constraint in place and appointments is referenced by other tables, so the constraint
-- is widened in the stored schema (the procedure SQLite documents for loosening a constraint,
-- "Making Other Kinds Of Table Schema Changes"): no stored row can break a constraint that only
-- admits one more value. RESET makes this connection read the new text at once; the index
-- re-made below changes the schema, so every other connection does too.
PRAGMA writable_schema = ON;

UPDATE sqlite_master
SET sql = replace(
    sql,
    '''cancelled'', ''not_seen'')',
    '''cancelled'', ''not_seen'', ''left_unseen'')'
)
WHERE type = 'table' AND name = 'appointments'
  AND instr(sql, '''cancelled'', ''not_seen'')') > 0;

PRAGMA writable_schema = RESET;

DROP INDEX appointments_due;
CREATE INDEX appointments_due ON appointments (starts_at) WHERE status = 'booked';
