package report

import "strings"

// idFor is the id of a group's chart of what.
func (s *Section) idFor(gc *groupCtx, what string) string { return gc.Slug + "-" + what }

// chartSource is where a chart's numbers come from: the table and the
// keys of its rows.
type chartSource struct {
	Table, Reporter, Commodity, Source, Freq, Measure, HS, Side, Event string
	Year                                                               int
}

// attrs records the source of a chart of the group's own rows.
func (c *Chart) attrs(b *builder, gc *groupCtx, table string) {
	c.From = chartSource{Table: table, Reporter: b.o.Reporter, Commodity: gc.Slug, Source: gc.source}
}

// srcCol is a policy table's source column, or the empty string where it
// has none (the contract's first form): one source per chart, as the marts keep them apart.
func srcCol(sc schema, table string) string {
	if sc.has(table, "source") {
		return "coalesce(source, '')"
	}
	return "''"
}

// safeID turns a measure id into letters, digits and underscores for a
// chart's id.
func safeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
