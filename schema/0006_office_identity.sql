-- 0006_office_identity: a random id made once, when the office's database is created. A copy
-- or a backup carries the same id, so a council-wide report refuses to count one office twice
-- (`report --include`), and `db restore` can tell a backup of this office from another's.
CREATE TABLE office_identity (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    uuid TEXT    NOT NULL CHECK (length(uuid) = 32)
) STRICT;
INSERT INTO office_identity (id, uuid) VALUES (1, lower(hex(randomblob(16))));
