-- 0085_report_mail_cancelled: a daily summary queued early (the day closed by hand) and
-- cancelled when the day was reopened, before it went, was deleted from the outbox: the record
-- of what was cancelled was gone, and a later summary of the day could take its number. Now it
-- stays as a row 'cancelled', with when and by whom (never sent: the worker claims only
-- 'pending' rows), and is said as cancelled where report emails are listed.
--
-- The status CHECK gains 'cancelled' by the checked step 0041, 0050 and 0081 use
-- (oss_desk/storage/migrations.py, admit_value): widened in the stored schema and proved, else
-- the upgrade fails in plain words and nothing is kept.
-- @python report_mails_admit_cancelled

ALTER TABLE report_mails ADD COLUMN cancelled_at TEXT;
ALTER TABLE report_mails ADD COLUMN cancelled_by TEXT;  -- the staff id of who reopened the day
