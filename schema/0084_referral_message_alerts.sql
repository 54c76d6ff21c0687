-- 0084_referral_message_alerts: a referral's reference to the resident that may have been sent
-- (status 'uncertain': no longer wanted after a try that may have reached Notify, which could
-- not be asked, 0082) is an alert for the team leader, as an appointment message in that state
-- is (0015's acknowledged_at): listed (`oss-desk alerts list`, id m<n>), on the team leader's
-- status line and in `doctor` until someone says it is seen to (`alerts ack m<n>`, the leader's
-- A): who (`acknowledged_by`, a staff id) and when are kept. Nothing else changes.

ALTER TABLE followup_messages ADD COLUMN acknowledged_at TEXT;
ALTER TABLE followup_messages ADD COLUMN acknowledged_by TEXT;
