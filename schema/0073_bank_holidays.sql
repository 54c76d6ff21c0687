-- 0073_bank_holidays: the bank holidays of the office's nations, worked out when `init` loads
-- the configuration (this year and the ten after), so that a command or a desk can say the office
-- is closed on one (meet-and-greet's top line, `ticket issue`) without importing the large
-- calendar package at every start. A year not stored here is worked out when asked.
CREATE TABLE bank_holidays (
    nation TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    days   TEXT    NOT NULL CHECK (json_valid(days)),
    PRIMARY KEY (nation, year)
) STRICT, WITHOUT ROWID;
