// Package idcode stores trade-flow versions id-coded (migration 004).
//
// A load's Codec turns each canonical trade_flows batch, on the source's
// goroutine, into a batch of trade_flow_versions (Schema) whose strings
// are ids into trade_codes and trade_flow_parts, so DuckDB only appends
// fixed-width numbers. It assigns the ids of codes and parts history does
// not have yet and hands them back as batches for the load to write in
// its transaction (Flush). While encoding it proves that no two rows
// share a key, or flags the rows that may (dupProof). Decode is the SQL
// that reads versions back as the trade_flow_rows view does.
package idcode
