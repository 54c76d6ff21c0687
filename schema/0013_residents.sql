-- 0013_residents: what residents get beyond the paper ticket.
--
-- The phone page's key: a ticket's public link carries an HMAC of the ticket and its day under
-- this key (random, made once per database), so links cannot be guessed and stop working at
-- the end of the day. It identifies nobody.
CREATE TABLE resident_secret (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    key  BLOB    NOT NULL CHECK (length(key) = 32)
) STRICT;
INSERT INTO resident_secret (id, key) VALUES (1, randomblob(32));
