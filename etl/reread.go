package etl

// Rereadable is an optional capability of a Source whose Extract can run
// twice in a row and produce the same output both times (files, not a
// network service). The warehouse may then read it once just to
// fingerprint it and skip the load when nothing changed.
type Rereadable interface {
	Reread() bool
}
