-- 0015_message_delivery: messages that survive outages. A claimed message names its owner; the
-- moment it is handed over (the end of DATA, or the request to Notify) is recorded, so a worker
-- stopped while waiting for the reply leaves a message that may have been accepted: it is sent
-- again at most once (same Message-ID), or looked up by its reference first. A message late or
-- failed for good alerts the team leader until someone acknowledges it.

ALTER TABLE messages ADD COLUMN owner TEXT;
ALTER TABLE messages ADD COLUMN handed_over_at TEXT;
ALTER TABLE messages ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN acknowledged_at TEXT;
ALTER TABLE messages ADD COLUMN acknowledged_by TEXT;

CREATE INDEX messages_attention ON messages (status) WHERE acknowledged_at IS NULL
    AND status IN ('pending', 'sending', 'failed');
