-- What the measure marts' last rebuild saw (see 40_event_windows.sql);
-- 50_diversion.sql records it.
CREATE TABLE IF NOT EXISTS measure_marts_state (
    measures_at TIMESTAMP,
    flows_at    TIMESTAMP,
    settings    VARCHAR
);
