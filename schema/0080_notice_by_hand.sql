-- 0080_notice_by_hand: a council move or cancellation of a booking whose resident has no email
-- or phone (booked by slip) cannot be sent: a person must phone or write to them. Until someone
-- says they were told (`oss-desk appointment told REF`, recorded as an event with who and when),
-- the appointment says since when the notice is owed, and which day the resident last knew
-- (a move's old day: the notice counts to the sooner of the two). The notice standard counts
-- from the telling, not from the change.
ALTER TABLE appointments ADD COLUMN untold_since TEXT;
ALTER TABLE appointments ADD COLUMN untold_day TEXT;
CREATE INDEX appointments_untold ON appointments (untold_since) WHERE untold_since IS NOT NULL;
