-- What supplier_alternatives' last rebuild saw (see 60_supplier_alternatives.sql).
CREATE TABLE IF NOT EXISTS supplier_alternatives_state (
    measures_at   TIMESTAMP, -- the newest version of trade_measures_history
    statistics_at TIMESTAMP, -- and of mineral_statistics_history, at the last rebuild
    settings      VARCHAR,
    flows_at      TIMESTAMP  -- and of trade_flow_parts: a load that changed nothing rebuilds nothing
);
