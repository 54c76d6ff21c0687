-- 0082_message_cancel_closed_text: a referral's reference queued to go to the resident by email or
-- text can be stopped by the team leader (`oss-desk followup cancel-message REF`) while it has
-- not gone; who stopped it and when are kept (`cancelled_by`, a staff id; `cancelled_at`). It is
-- then 'cancelled'; one whose earlier try may have reached Notify is looked up first, and is
-- 'sent' when Notify has it, 'cancelled' when not, 'uncertain' ("may have been sent") when
-- Notify cannot be asked (oss_desk/services/followup_messages.py).
--
-- The status CHECK gains 'cancelled' and 'uncertain' by the checked step 0041 and 0081 use
-- (oss_desk/storage/migrations.py, admit_value). The index re-made below changes the schema, so
-- every other connection reads the new text.
--
-- And a resident waiting for a text ("nearly your turn") whose ticket close of day closes is
-- told so by a turn text of its own kind, 'closed' (once per visit, as the others: the
-- (visit_id, kind) key); turn_texts.kind's CHECK gains it the same checked way.
-- @python followup_messages_admit_cancelled
-- @python followup_messages_admit_uncertain
-- @python turn_texts_admit_closed

ALTER TABLE followup_messages ADD COLUMN cancelled_at TEXT;
ALTER TABLE followup_messages ADD COLUMN cancelled_by TEXT;

DROP INDEX followup_messages_due;
CREATE INDEX followup_messages_due ON followup_messages (next_attempt_at)
    WHERE status IN ('pending', 'sending');

DROP INDEX turn_texts_due;
CREATE INDEX turn_texts_due ON turn_texts (next_attempt_at) WHERE status IN ('pending', 'sending');
