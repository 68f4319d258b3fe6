-- One Comtrade source. Rows read from the API, a saved response or a saved
-- CSV were kept under their reader's kind (comtrade, comtrade-json,
-- comtrade-csv), so the same records loaded through two forms stood twice
-- in trade_flows and in every mart. They are one source now: 'comtrade'.
-- Where two forms hold a current version of the same key, the one loaded
-- last stays current and the other is closed at that load's time (both
-- stay in the history). source_ref keeps each row's file or request.

UPDATE trade_flow_versions SET valid_to = s.superseded_at
FROM (
    SELECT rid, superseded_at FROM (
        SELECT v.rowid AS rid,
               first_value(p.valid_from) OVER w AS superseded_at,
               row_number() OVER w AS n
        FROM trade_flow_versions v
        JOIN trade_flow_parts p ON p.part_id = v.part_id
        WHERE v.valid_to IS NULL AND p.source IN ('comtrade', 'comtrade-csv', 'comtrade-json')
        WINDOW w AS (PARTITION BY p.freq, p.flow, v.period, v.reporter_id, v.partner_id, v.hs_id
                     ORDER BY p.valid_from DESC, p.part_id DESC))
    WHERE n > 1
) s
WHERE trade_flow_versions.rowid = s.rid;

-- The marts of every Comtrade period are rebuilt by the next rebuild, which
-- replaces their rows under the old source names.
INSERT INTO mart_pending (freq, period, loaded_at)
SELECT DISTINCT p.freq, v.period, now()
FROM trade_flow_versions v
JOIN trade_flow_parts p ON p.part_id = v.part_id
WHERE p.source IN ('comtrade-csv', 'comtrade-json')
ON CONFLICT DO NOTHING;

UPDATE trade_flow_parts SET source = 'comtrade' WHERE source IN ('comtrade-csv', 'comtrade-json');

UPDATE rejected_rows SET source = 'comtrade' WHERE source IN ('comtrade-csv', 'comtrade-json');
