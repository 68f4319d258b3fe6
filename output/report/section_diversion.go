package report

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

var divCols = []string{"measure_id", "freq", "commodity", "hs_code", "side", "third_iso3", "change_to_third_usd", "change_third_to_target_usd", "both_rose", "rank"}

func (b *builder) diversion(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "Diversion candidates"}
	if len(b.sc.missing("diversion", divCols...)) > 0 {
		s.Missing = notAvailable + " (needs diversion)"
		return s, nil
	}
	var heads []string
	any := false
	for _, m := range gc.measures {
		if m.targets == "" {
			continue
		}
		any = true
		var hs sql.NullString
		var freq, side, src string
		err := b.q.QueryRowContext(b.ctx, `SELECT hs_code, freq, side, `+srcCol(b.sc, "diversion")+` AS src FROM diversion WHERE measure_id = ? AND commodity = ?
			GROUP BY hs_code, freq, side, src ORDER BY hs_code IS NULL DESC, freq = 'M' DESC, count(*) FILTER (WHERE both_rose) DESC, count(*) DESC, hs_code, side, src
			LIMIT 1`, m.id, gc.Slug).Scan(&hs, &freq, &side, &src)
		if err == sql.ErrNoRows {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no diversion figures in this warehouse.", m.title))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("diversion: %w", err)
		}
		rows, err := b.q.QueryContext(b.ctx, `SELECT rank, third_iso3, change_to_third_usd, change_third_to_target_usd, both_rose
			FROM diversion WHERE measure_id = ? AND commodity = ? AND hs_code IS NOT DISTINCT FROM ? AND freq = ? AND side = ? AND both_rose
			  AND rank IS NOT NULL AND `+srcCol(b.sc, "diversion")+` = ?
			ORDER BY rank, third_iso3 LIMIT 10`, m.id, gc.Slug, hs, freq, side, src)
		if err != nil {
			return nil, fmt.Errorf("diversion: %w", err)
		}
		c := newChart(fmt.Sprintf("%s-diversion-%s", gc.Slug, safeID(m.id)), "diversion",
			fmt.Sprintf("%s: third countries whose flows rose on both legs", m.title), "third country (by rank)", "change, USD million (post − pre window)")
		c.From = chartSource{Table: "diversion", Commodity: gc.Slug, Measure: m.id, HS: hs.String, Freq: freq, Side: side, Source: src}
		tab := &Table{Caption: m.title + " — diversion candidates", Head: []string{"rank", "third country", "change in exports to it, USD", "change in its exports to the target, USD"}}
		var groups []group
		for rows.Next() {
			var rank int
			var third string
			var to, via sql.NullFloat64
			var both sql.NullBool
			if err := rows.Scan(&rank, &third, &to, &via, &both); err != nil {
				rows.Close()
				return nil, err
			}
			g := group{period: third}
			g.vals = append(g.vals,
				gval{series: "change_to_third", v: to.Float64 / 1e6, ok: to.Valid, value: exact(to.Float64), title: fmt.Sprintf("%s: exports to it %s USD", b.name(third), signedUSD(to))},
				gval{series: "change_third_to_target", v: via.Float64 / 1e6, ok: via.Valid, value: exact(via.Float64), title: fmt.Sprintf("%s: its exports to the target %s USD", b.name(third), signedUSD(via))})
			groups = append(groups, g)
			tab.Rows = append(tab.Rows, []string{strconv.Itoa(rank), b.name(third), signedUSD(to), signedUSD(via)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
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
	if !any {
		s.Missing = "no measure on this group names a target country"
		return s, nil
	}
	s.Headline = strings.Join(heads, "; ")
	if s.Headline == "" {
		s.Headline = "no third country rose on both legs"
	}
	return s, nil
}
