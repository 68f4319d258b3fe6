package report

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

var altCols = []string{"reporter_iso3", "commodity", "hs_code", "year", "supplier_iso3", "share", "world_export_share", "rank"}

func (b *builder) alternatives(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "Where else to buy"}
	t := "supplier_alternatives"
	if len(b.sc.missing(t, altCols...)) > 0 {
		s.Missing = notAvailable + " (needs supplier_alternatives)"
		return s, nil
	}
	var hs sql.NullString
	var year int
	var src string
	err := b.q.QueryRowContext(b.ctx, `SELECT hs_code, year, `+srcCol(b.sc, t)+` AS src FROM supplier_alternatives WHERE reporter_iso3 = ? AND commodity = ?
		GROUP BY hs_code, year, src ORDER BY year DESC, hs_code IS NULL DESC, src = ? DESC, count(*) DESC, hs_code, src LIMIT 1`,
		b.o.Reporter, gc.Slug, gc.source).Scan(&hs, &year, &src)
	if err == sql.ErrNoRows {
		s.Missing = "no alternative suppliers computed for this group"
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("supplier_alternatives: %w", err)
	}
	opt := func(c, typ string) string { return b.sc.col(t, c, typ) }
	rows, err := b.q.QueryContext(b.ctx, `SELECT rank, supplier_iso3, share, world_export_share, `+strings.Join([]string{
		opt("share_3y_earlier", "DOUBLE"), opt("unit_value_ratio", "DOUBLE"), opt("mine_production", "DOUBLE"),
		opt("refinery_production", "DOUBLE"), opt("production_unit", "VARCHAR"), opt("reserves", "DOUBLE"), opt("reserves_unit", "VARCHAR"),
		opt("restricted", "BOOLEAN"), restrictingRaw(b.sc) + " AS restricting_measures", opt("hhi_if_replaces_concern", "DOUBLE"), opt("score", "DOUBLE")}, ", ")+`
		FROM supplier_alternatives
		WHERE reporter_iso3 = ? AND commodity = ? AND hs_code IS NOT DISTINCT FROM ? AND year = ? AND `+srcCol(b.sc, t)+` = ?
		ORDER BY rank, supplier_iso3 LIMIT 10`, b.o.Reporter, gc.Slug, hs, year, src)
	if err != nil {
		return nil, fmt.Errorf("supplier_alternatives: %w", err)
	}
	defer rows.Close()
	c := newChart(gc.Slug+"-alternatives", "alternatives", fmt.Sprintf("Alternative suppliers, %d: share of %s imports and of world exports", year, b.r.ReporterName),
		"supplier (by rank)", "share, %")
	c.From = chartSource{Table: t, Reporter: b.o.Reporter, Commodity: gc.Slug, HS: hs.String, Year: year, Source: src}
	tab := &Table{Caption: fmt.Sprintf("Top alternative suppliers, %d", year), Head: []string{"rank", "supplier", "share now", "share 3 y earlier",
		"world export share", "unit value vs average", "mine production", "refinery production", "reserves", "restricted", "HHI if it replaced " + b.r.ConcernName, "score"}}
	var groups []group
	for rows.Next() {
		var rank int
		var sup string
		var share, wshare, share3, uvr, mine, ref, res, hhi, score sql.NullFloat64
		var punit, runit, measures sql.NullString
		var restricted sql.NullBool
		if err := rows.Scan(&rank, &sup, &share, &wshare, &share3, &uvr, &mine, &ref, &punit, &res, &runit, &restricted, &measures, &hhi, &score); err != nil {
			return nil, err
		}
		g := group{period: sup}
		for _, v := range []struct {
			name string
			v    sql.NullFloat64
			lab  string
		}{{"share", share, "share of imports"}, {"world_export_share", wshare, "share of world exports"}} {
			g.vals = append(g.vals, gval{series: v.name, v: v.v.Float64 * 100, ok: v.v.Valid, value: exact(v.v.Float64),
				title: fmt.Sprintf("%s: %s %s", b.name(sup), v.lab, pctOrNA(v.v))})
		}
		groups = append(groups, g)
		restr := "—"
		if restricted.Valid {
			restr = map[bool]string{true: "yes", false: "no"}[restricted.Bool]
			if restricted.Bool && measures.String != "" {
				restr += " (" + measures.String + ")"
			}
		}
		tab.Rows = append(tab.Rows, []string{strconv.Itoa(rank), b.name(sup), pctOrNA(share), pctOrNA(share3), pctOrNA(wshare),
			num2(uvr), withUnit(mine, punit), withUnit(ref, punit), withUnit(res, runit), restr, numOrNA(hhi), num2(score)})
		if s.Headline == "" {
			s.Headline = fmt.Sprintf("best-ranked alternative %s (%s of imports, %s of world exports)", b.name(sup), pctOrNA(share), pctOrNA(wshare))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.groupedBars(groups, []string{"share", "world_export_share"}, []string{"share of imports", "share of world exports"})
	s.Charts = append(s.Charts, c)
	s.Tables = append(s.Tables, tab)
	return s, nil
}

// restrictingRaw reads restricting_measures whatever its type (a list or text).
func restrictingRaw(sc schema) string {
	if sc.has("supplier_alternatives", "restricting_measures") {
		return "CASE WHEN restricting_measures IS NULL THEN NULL ELSE regexp_replace(CAST(restricting_measures AS VARCHAR), '^\\[|\\]$', '', 'g') END"
	}
	return "CAST(NULL AS VARCHAR)"
}
