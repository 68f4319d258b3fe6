-- Scheduler bookkeeping: the last failure after retries, and the chunks of
-- a backfill already loaded, so an interrupted backfill resumes.
ALTER TABLE job_state ADD COLUMN last_failure_at TIMESTAMP;
ALTER TABLE job_state ADD COLUMN last_error VARCHAR;

CREATE TABLE backfill_chunks (
    job         VARCHAR NOT NULL,
    range_key   VARCHAR NOT NULL, -- the backfill's whole range, e.g. A:2000-2024
    chunk       VARCHAR NOT NULL, -- one transaction's range, e.g. 2000-2000
    run_id      BIGINT NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    PRIMARY KEY (job, range_key, chunk)
);
