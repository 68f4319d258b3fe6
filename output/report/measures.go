package report

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// measure is a trade measure on a group.
type measure struct {
	id, typ, title, imposing, targets, status, citation string
	announced, effective, end, suspends                 string
	eff                                                 time.Time
}

// measures reads the trade measures on group g known at the as-of time,
// in order of their effective dates.
func (b *builder) measures(g string) ([]measure, error) {
	if !b.sc.has("trade_measures", "measure_id", "commodity", "effective_date", "measure_type", "title") {
		return nil, nil
	}
	opt := func(c, typ string) string { return b.sc.col("trade_measures", c, typ) }
	// A measure on several groups may name none: its codes place it.
	byCode := ""
	if b.sc.has("trade_measure_codes", "measure_id", "hs_code") && b.sc.has("commodity_codes", "commodity", "hs_code") {
		byCode = ` OR measure_id IN (SELECT mc.measure_id FROM trade_measure_codes mc JOIN commodity_codes cc
			ON starts_with(mc.hs_code, cc.hs_code) OR starts_with(cc.hs_code, mc.hs_code) WHERE cc.commodity = $1)`
	}
	q := `SELECT measure_id, coalesce(measure_type, ''), coalesce(title, ''),
		coalesce(CAST(imposing_iso3 AS VARCHAR), ''), coalesce(array_to_string(target_iso3, ', '), ''),
		coalesce(status, ''), coalesce(citation, ''),
		coalesce(strftime(announced_date, '%Y-%m-%d'), ''), strftime(effective_date, '%Y-%m-%d'),
		coalesce(strftime(end_date, '%Y-%m-%d'), ''), coalesce(suspends_measure_id, '')
		FROM (SELECT measure_id, measure_type, title, commodity, effective_date, ` +
		strings.Join([]string{opt("imposing_iso3", "VARCHAR"), opt("target_iso3", "VARCHAR[]"), opt("status", "VARCHAR"),
			opt("citation", "VARCHAR"), opt("announced_date", "DATE"), opt("end_date", "DATE"), opt("suspends_measure_id", "VARCHAR")}, ", ") + `
		      FROM trade_measures)
		WHERE (list_contains(list_transform(string_split(coalesce(commodity, ''), ','), x -> trim(x)), $1)` + byCode + `)
		  AND effective_date IS NOT NULL`
	args := []any{g}
	if !b.o.AsOf.IsZero() {
		// A measure known at the as-of time: announced (or in force) by then.
		q += ` AND coalesce(announced_date, effective_date) <= CAST($2 AS DATE)`
		args = append(args, b.o.AsOf.UTC().Format("2006-01-02"))
	}
	rows, err := b.q.QueryContext(b.ctx, q+` ORDER BY effective_date, measure_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("trade_measures: %w", err)
	}
	defer rows.Close()
	var out []measure
	for rows.Next() {
		var m measure
		if err := rows.Scan(&m.id, &m.typ, &m.title, &m.imposing, &m.targets, &m.status, &m.citation,
			&m.announced, &m.effective, &m.end, &m.suspends); err != nil {
			return nil, err
		}
		m.eff, _ = time.Parse("2006-01-02", m.effective)
		out = append(out, m)
	}
	return out, rows.Err()
}

// measureWindow is the part of a policy mart (event_windows, diversion)
// a section draws for one measure: one HS code or the group level, one
// frequency, side and source. found is false where the mart has no rows
// for the measure.
type measureWindow struct {
	m               measure
	found           bool
	hs              sql.NullString
	freq, side, src string
}

// inForce says which kinds of measure are in force at t and since when
// ("licensing since Aug 2023, ban suspended since Nov 2025"): the earliest
// of each kind, at most three kinds, in order of their dates. A measure
// that another in force suspends is left out; the suspension names it.
func inForce(ms []measure, t time.Time) string {
	day := t.UTC().Format("2006-01-02")
	byID := map[string]measure{}
	suspended := map[string]bool{}
	var live []measure
	for _, m := range ms {
		byID[m.id] = m
		if m.effective <= day && (m.end == "" || m.end > day) {
			live = append(live, m)
			if m.suspends != "" {
				suspended[m.suspends] = true
			}
		}
	}
	var parts []string
	seen := map[string]bool{}
	for _, m := range live {
		if suspended[m.id] {
			continue
		}
		kind := strings.ReplaceAll(m.typ, "_", " ")
		if s, ok := byID[m.suspends]; ok && m.suspends != "" {
			kind = strings.ReplaceAll(s.typ, "_", " ") + " suspended"
		}
		if kind == "" || seen[kind] {
			continue
		}
		seen[kind] = true
		parts = append(parts, kind+" since "+m.eff.Format("Jan 2006"))
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, ", ")
}

// measureTable lists the group's measures with their citations.
func (b *builder) measureTable(ms []measure) *Table {
	t := &Table{Caption: "Trade measures on this group", Head: []string{"measure", "type", "imposed by", "target", "announced", "effective", "end", "status", "citation"}}
	for _, m := range ms {
		target := m.targets
		if target == "" {
			target = "every destination"
		}
		t.Rows = append(t.Rows, []string{m.id + ": " + m.title, m.typ, b.name(m.imposing), target, m.announced, m.effective, m.end, m.status, m.citation})
	}
	return t
}

// markMeasures draws each measure as a vertical line numbered in date
// order; the key under the chart says what each number stands for (words
// at the lines would run into each other where measures are close).
func (c *Chart) markMeasures(ms []measure, sx scale, xlo float64) {
	for _, m := range ms {
		x := decimalYear(m.eff)
		if x < xlo {
			continue
		}
		n := len(c.Markers) + 1
		c.Markers = append(c.Markers, Marker{X: sx.at(x), Label: strconv.Itoa(n), Date: m.effective, Measure: m.id,
			Title: fmt.Sprintf("%s — effective %s", m.title, m.effective)})
		c.Key = append(c.Key, KeyItem{Num: n, Text: fmt.Sprintf("%s, effective %s: %s", strings.ReplaceAll(m.typ, "_", " "), m.effective, m.title)})
	}
}

// shortTitle names a measure in a headline by its kind and month
// ("licensing Aug 2023"), else by its id.
func shortTitle(m measure) string {
	if m.typ != "" {
		return strings.ReplaceAll(m.typ, "_", " ") + " " + m.eff.Format("Jan 2006")
	}
	return m.id
}
