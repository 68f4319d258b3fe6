-- Periods whose marts a load left for later (tradewh load --no-marts): the
-- next mart rebuild, whatever its own scope, includes and clears them, so
-- no mart stays stale unnoticed.
CREATE TABLE mart_pending (
    freq      VARCHAR NOT NULL,
    period    DATE NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (freq, period)
);
