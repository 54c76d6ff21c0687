-- 0081_message_may_have_been_sent: an appointment message (confirmation, reminder, change,
-- cancellation) no longer needed after a try that may have reached the resident (the mail
-- server or Notify did not answer) was recorded 'cancelled', as if it certainly was not sent.
-- Now, as turn texts are (0079), a message through Notify is looked up first (found: 'sent';
-- not found: 'cancelled'), and one whose look-up cannot say, or an email (no mail server can be
-- asked), is recorded 'uncertain': "may have been sent" (oss_desk/domain/sending.py,
-- dropped_unsure and after_look_up).
--
-- The status CHECK gains 'uncertain' by the checked step 0041 and 0050 use
-- (oss_desk/storage/migrations.py, admit_value): widened in the stored schema and proved, else
-- the upgrade fails in plain words and nothing is kept. The index re-made below changes the
-- schema, so every other connection reads the new text.
-- @python messages_admit_uncertain

DROP INDEX messages_due;
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status IN ('pending', 'sending');
