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
-- break a constraint that only admits one more value. The step below (in Python:
-- oss_desk/storage/migrations.py, admit_value) finds the CHECK's list whatever the spacing of
-- the stored text, turns SQLite's defensive mode off where Python can, and proves the result
-- (the stored text lists 'not_seen'; an appointment set to it, undone at once, passes): else the
-- upgrade fails in plain words and nothing is kept, never recorded as done while the office
-- would then fail on the constraint at close of day. RESET makes this connection read the new
-- text at once; the index re-made below changes the schema, so every other connection does too.
-- @python appointments_admit_not_seen

DROP INDEX appointments_due;
CREATE INDEX appointments_due ON appointments (starts_at) WHERE status = 'booked';
