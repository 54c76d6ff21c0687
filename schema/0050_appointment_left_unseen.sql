-- 0050_appointment_left_unseen: an appointment's resident who checked in (a ticket was issued)
-- and was gone before being seen: their ticket ended as a no-show (not there when called) or
-- was cancelled because they left. They came (not a no-show of the appointment; it counts as
-- kept, as every check-in does) and were not seen (not attended). The appointment was left
-- 'checked_in', so the appointments screen still said they were here
-- (oss_desk/domain/appointments.py, AppointmentStatus.LEFT_UNSEEN and WHEN_TICKET_ENDS).
--
-- The status CHECK gains 'left_unseen', as 0041 gave it 'not_seen', by the same checked step
-- (oss_desk/storage/migrations.py, admit_value): the constraint is widened in the stored schema
-- (SQLite cannot change a CHECK in place, and appointments is referenced by other tables), and
-- the result is proved, else the upgrade fails in plain words and nothing is kept. The index
-- re-made below changes the schema, so every other connection reads the new text.
-- @python appointments_admit_left_unseen

DROP INDEX appointments_due;
CREATE INDEX appointments_due ON appointments (starts_at) WHERE status = 'booked';
