package report

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

var divCols = []string{"measure_id", "freq", "commodity", "hs_code", "side", "third_iso3", "change_to_third_usd", "change_third_to_target_usd", "both_rose", "rank"}

// diversionCandidate is one third country's row of diversion.
type diversionCandidate struct {
	rank     int
	third    string
	to, via  sql.NullFloat64
	bothRose sql.NullBool
}

// diversionWindow is what diversion holds for one measure that names a
// target; found is false when the warehouse has no figures for it.
type diversionWindow struct {
	measureWindow
	candidates []diversionCandidate
}

// diversionRows are section 6's rows: a window per measure that names a
// target, or why this warehouse has none to read.
type diversionRows struct {
	sectionRows
	windows []diversionWindow
}

func (b *builder) readDiversion(gc *groupCtx) (diversionRows, error) {
	var r diversionRows
	if len(b.sc.missing("diversion", divCols...)) > 0 {
		r.missing = notAvailable + " (needs diversion)"
		return r, nil
	}
	for _, m := range gc.measures {
		if m.targets == "" {
			continue
		}
		w := diversionWindow{measureWindow: measureWindow{m: m}}
		err := b.q.QueryRowContext(b.ctx, `SELECT hs_code, freq, side, `+srcCol(b.sc, "diversion")+` AS src FROM diversion WHERE measure_id = ? AND commodity = ?
			GROUP BY hs_code, freq, side, src ORDER BY hs_code IS NULL DESC, freq = 'M' DESC, count(*) FILTER (WHERE both_rose) DESC, count(*) DESC, hs_code, side, src
			LIMIT 1`, m.id, gc.Slug).Scan(&w.hs, &w.freq, &w.side, &w.src)
		if err == sql.ErrNoRows {
			r.windows = append(r.windows, w)
			continue
		}
		if err != nil {
			return r, fmt.Errorf("diversion: %w", err)
		}
		rows, err := b.q.QueryContext(b.ctx, `SELECT rank, third_iso3, change_to_third_usd, change_third_to_target_usd, both_rose
			FROM diversion WHERE measure_id = ? AND commodity = ? AND hs_code IS NOT DISTINCT FROM ? AND freq = ? AND side = ? AND both_rose
			  AND rank IS NOT NULL AND `+srcCol(b.sc, "diversion")+` = ?
			ORDER BY rank, third_iso3 LIMIT 10`, m.id, gc.Slug, w.hs, w.freq, w.side, w.src)
		if err != nil {
			return r, fmt.Errorf("diversion: %w", err)
		}
		w.found = true
		for rows.Next() {
			var d diversionCandidate
			if err := rows.Scan(&d.rank, &d.third, &d.to, &d.via, &d.bothRose); err != nil {
				rows.Close()
				return r, err
			}
			w.candidates = append(w.candidates, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, err
		}
		r.windows = append(r.windows, w)
	}
	return r, nil
}

// diversion lays out section 6, diversion candidates: for each measure on
// a target, the third countries whose flows rose on both legs.
func (b *builder) diversion(s *Section, gc *groupCtx, dr diversionRows) {
	var heads []string
	for _, w := range dr.windows {
		m := w.m
		if !w.found {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no diversion figures in this warehouse.", m.title))
			continue
		}
		c := newChart(fmt.Sprintf("%s-diversion-%s", gc.Slug, safeID(m.id)), "diversion",
			fmt.Sprintf("%s: third countries whose flows rose on both legs", m.title), "third country (by rank)", "change, USD million (post − pre window)")
		c.From = chartSource{Table: "diversion", Commodity: gc.Slug, Measure: m.id, HS: w.hs.String, Freq: w.freq, Side: w.side, Source: w.src}
		tab := &Table{Caption: m.title + " — diversion candidates", Head: []string{"rank", "third country", "change in exports to it, USD", "change in its exports to the target, USD"}}
		var groups []group
		for _, d := range w.candidates {
			g := group{period: d.third}
			g.vals = append(g.vals,
				gval{series: "change_to_third", v: d.to.Float64 / 1e6, ok: d.to.Valid, value: exact(d.to.Float64), title: fmt.Sprintf("%s: exports to it %s USD", b.name(d.third), signedUSD(d.to))},
				gval{series: "change_third_to_target", v: d.via.Float64 / 1e6, ok: d.via.Valid, value: exact(d.via.Float64), title: fmt.Sprintf("%s: its exports to the target %s USD", b.name(d.third), signedUSD(d.via))})
			groups = append(groups, g)
			tab.Rows = append(tab.Rows, []string{strconv.Itoa(d.rank), b.name(d.third), signedUSD(d.to), signedUSD(d.via)})
		}
		if len(groups) == 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no third country's flows rose on both legs over complete windows.", m.title))
			continue
		}
		heads = append(heads, fmt.Sprintf("%s: %s first of %d candidates", shortTitle(m), b.name(groups[0].period), len(groups)))
		c.groupedBars(groups, []string{"change_to_third", "change_third_to_target"},
			[]string{"imposing country's exports to it", "its exports to the target"})
		s.Charts = append(s.Charts, c)
		s.Tables = append(s.Tables, tab)
	}
	if len(dr.windows) == 0 {
		s.Missing = "no measure on this group names a target country"
		return
	}
	s.Headline = strings.Join(heads, "; ")
	if s.Headline == "" {
		s.Headline = "no third country rose on both legs"
	}
}
