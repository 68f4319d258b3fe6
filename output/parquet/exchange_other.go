//go:build !linux

package parquet

// exchange swaps the paths a and b. Without an atomic exchange, b is
// missing for the moment between two renames (never half-written).
func exchange(a, b string) error { return exchangeByRenames(a, b) }
