-- Threshold alerts already sent, one row per rule, series, period and
-- value: a restarted scheduler does not send them again.
CREATE TABLE alerts_sent (
    alert_key VARCHAR PRIMARY KEY, -- rule|source|freq|reporter|commodity|period|value
    rule      VARCHAR NOT NULL,
    sent_at   TIMESTAMP NOT NULL
);
