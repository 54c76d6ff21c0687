-- 0098_message_id: the Message-ID an email went under, kept on its row from the moment it is
-- handed over (the end of DATA is about to go), so that a resend after a try the mail server
-- may have taken carries the very same one, which mail systems drop a duplicate by, whatever
-- has changed since (the sender's address, the release). NULL: never handed over by this
-- release (its Message-ID is made from its reference and the sender's domain).
--
-- A row an older release may have handed over is given the Message-ID that release gave it,
-- after the migrations (oss_desk/storage/message_ids.py: which release made it is known only
-- from the migrations the upgrade applies).
ALTER TABLE messages ADD COLUMN message_id TEXT;
ALTER TABLE report_mails ADD COLUMN message_id TEXT;
ALTER TABLE followup_messages ADD COLUMN message_id TEXT;
