package report

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// provenanceRows are the sources of every group, read in one pass per table.
type provenanceRows struct {
	trade, usgs  map[string][][]string // by group: table rows
	illustrative map[string]bool       // groups with demo flows of the reporter
}

func (b *builder) readProvenance() error {
	p := provenanceRows{trade: map[string][][]string{}, usgs: map[string][][]string{}, illustrative: map[string]bool{}}
	rows, err := b.q.QueryContext(b.ctx, `SELECT commodity, source, freq, count(*), strftime(min(period), '%Y-%m'), strftime(max(period), '%Y-%m'),
		strftime(max(valid_from), '%Y-%m-%d %H:%M'), list(DISTINCT source_ref ORDER BY source_ref),
		count(*) FILTER (WHERE reporter_iso3 = $1 AND `+illustrativeWhere()+`)
		FROM trade_flows WHERE commodity IS NOT NULL AND (reporter_iso3 = $1 OR partner_iso3 = $1)
		GROUP BY commodity, source, freq ORDER BY commodity, source, freq`, b.o.Reporter)
	if err != nil {
		return fmt.Errorf("report: provenance of trade flows: %w", err)
	}
	for rows.Next() {
		var comm, src, freq, from, to, loaded string
		var n, demo int64
		var refs []any
		if err := rows.Scan(&comm, &src, &freq, &n, &from, &to, &loaded, &refs, &demo); err != nil {
			rows.Close()
			return err
		}
		p.trade[comm] = append(p.trade[comm], []string{src, freq, thousands(float64(n)), from, to, loaded, refList(refs)})
		p.illustrative[comm] = p.illustrative[comm] || demo > 0
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if b.sc.has("commodity_usgs") {
		rows, err := b.q.QueryContext(b.ctx, `SELECT cu.commodity, m.source, m.edition, count(*), min(m.year), max(m.year),
			string_agg(DISTINCT m.commodity, ', ' ORDER BY m.commodity), list(DISTINCT m.source_ref ORDER BY m.source_ref)
			FROM mineral_statistics m JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
			GROUP BY cu.commodity, m.source, m.edition ORDER BY cu.commodity, m.edition, m.source`)
		if err != nil {
			return fmt.Errorf("report: provenance of USGS statistics: %w", err)
		}
		for rows.Next() {
			var comm, src, ed, comms string
			var n int64
			var lo, hi int
			var refs []any
			if err := rows.Scan(&comm, &src, &ed, &n, &lo, &hi, &comms, &refs); err != nil {
				rows.Close()
				return err
			}
			p.usgs[comm] = append(p.usgs[comm], []string{src, ed, thousands(float64(n)), strconv.Itoa(lo), strconv.Itoa(hi), comms, refList(refs)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	b.prov = p
	return nil
}

// provenance lays out section 7, provenance: the sources behind the
// group's figures, from the rows readProvenance read for every group at once.
func (b *builder) provenance(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "Provenance"}
	if gc.Illustrative {
		s.Notes = append(s.Notes, "ILLUSTRATIVE DATA: this group's trade flows come from the offline demo, the project's own illustration — not published statistics.")
	}
	tab := &Table{Caption: "Trade flows behind this group's figures (reported by or about " + b.r.ReporterName + ")",
		Head: []string{"source", "freq", "rows", "from", "to", "last loaded", "files or requests"}, Rows: b.prov.trade[gc.Slug]}
	s.Tables = append(s.Tables, tab)
	if b.sc.has("commodity_usgs") {
		s.Tables = append(s.Tables, &Table{Caption: "USGS statistics (Mineral Commodity Summaries editions)",
			Head: []string{"source", "edition", "figures", "from", "to", "commodities", "files"}, Rows: b.prov.usgs[gc.Slug]})
	}
	if len(gc.measures) > 0 {
		s.Notes = append(s.Notes, "Trade measures: see the citations in the table of section 1.")
	}
	s.Notes = append(s.Notes, "Last successful run: "+b.r.LastRun+".", "As of: "+b.r.AsOf+".")
	s.Headline = fmt.Sprintf("%d trade source(s) and frequency(ies); as of %s", len(tab.Rows), strings.SplitN(b.r.AsOf, " (", 2)[0])
	if gc.Illustrative {
		s.Headline = "illustrative demo flows; " + s.Headline
	}
	return s, nil
}

// refList names at most five files or requests, then how many more.
func refList(refs []any) string {
	var out []string
	for i, r := range refs {
		if i == 5 {
			out = append(out, fmt.Sprintf("and %d more", len(refs)-5))
			break
		}
		out = append(out, path.Base(strings.ReplaceAll(fmt.Sprint(r), `\`, "/")))
	}
	return strings.Join(out, ", ")
}
