package report

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

var altCols = []string{"reporter_iso3", "commodity", "hs_code", "year", "supplier_iso3", "share", "world_export_share", "rank"}

// alternative is one supplier's row of supplier_alternatives.
type alternative struct {
	rank                                                   int
	sup                                                    string
	share, wshare, share3, uvr, mine, ref, res, hhi, score sql.NullFloat64
	punit, runit, measures                                 sql.NullString
	restricted                                             sql.NullBool
}

// alternativeRows are section 5's rows: the ten best-ranked alternative
// suppliers of the latest year, or why there are none to read.
type alternativeRows struct {
	sectionRows
	hs        sql.NullString
	year      int
	src       string
	suppliers []alternative
}

func (b *builder) readAlternatives(gc *groupCtx) (alternativeRows, error) {
	var r alternativeRows
	t := "supplier_alternatives"
	if len(b.sc.missing(t, altCols...)) > 0 {
		r.missing = notAvailable + " (needs supplier_alternatives)"
		return r, nil
	}
	err := b.q.QueryRowContext(b.ctx, `SELECT hs_code, year, `+srcCol(b.sc, t)+` AS src FROM supplier_alternatives WHERE reporter_iso3 = ? AND commodity = ?
		GROUP BY hs_code, year, src ORDER BY year DESC, hs_code IS NULL DESC, src = ? DESC, count(*) DESC, hs_code, src LIMIT 1`,
		b.o.Reporter, gc.Slug, gc.source).Scan(&r.hs, &r.year, &r.src)
	if err == sql.ErrNoRows {
		r.missing = "no alternative suppliers computed for this group"
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("supplier_alternatives: %w", err)
	}
	opt := func(c, typ string) string { return b.sc.col(t, c, typ) }
	rows, err := b.q.QueryContext(b.ctx, `SELECT rank, supplier_iso3, share, world_export_share, `+strings.Join([]string{
		opt("share_3y_earlier", "DOUBLE"), opt("unit_value_ratio", "DOUBLE"), opt("mine_production", "DOUBLE"),
		opt("refinery_production", "DOUBLE"), opt("production_unit", "VARCHAR"), opt("reserves", "DOUBLE"), opt("reserves_unit", "VARCHAR"),
		opt("restricted", "BOOLEAN"), restrictingRaw(b.sc) + " AS restricting_measures", opt("hhi_if_replaces_concern", "DOUBLE"), opt("score", "DOUBLE")}, ", ")+`
		FROM supplier_alternatives
		WHERE reporter_iso3 = ? AND commodity = ? AND hs_code IS NOT DISTINCT FROM ? AND year = ? AND `+srcCol(b.sc, t)+` = ?
		ORDER BY rank, supplier_iso3 LIMIT 10`, b.o.Reporter, gc.Slug, r.hs, r.year, r.src)
	if err != nil {
		return r, fmt.Errorf("supplier_alternatives: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a alternative
		if err := rows.Scan(&a.rank, &a.sup, &a.share, &a.wshare, &a.share3, &a.uvr, &a.mine, &a.ref, &a.punit, &a.res, &a.runit,
			&a.restricted, &a.measures, &a.hhi, &a.score); err != nil {
			return r, err
		}
		r.suppliers = append(r.suppliers, a)
	}
	return r, rows.Err()
}

// alternatives lays out section 5, where else to buy: each alternative's
// share of the reporter's imports beside its share of world exports.
func (b *builder) alternatives(s *Section, gc *groupCtx, ar alternativeRows) {
	hs, year, src := ar.hs, ar.year, ar.src
	c := newChart(gc.Slug+"-alternatives", "alternatives", fmt.Sprintf("Alternative suppliers, %d: share of %s imports and of world exports", year, b.r.ReporterName),
		"supplier (by rank)", "share, %")
	c.From = chartSource{Table: "supplier_alternatives", Reporter: b.o.Reporter, Commodity: gc.Slug, HS: hs.String, Year: year, Source: src}
	tab := &Table{Caption: fmt.Sprintf("Top alternative suppliers, %d", year), Head: []string{"rank", "supplier", "share now", "share 3 y earlier",
		"world export share", "unit value vs average", "mine production", "refinery production", "reserves", "restricted", "HHI if it replaced " + b.r.ConcernName, "score"}}
	var groups []group
	for _, a := range ar.suppliers {
		g := group{period: a.sup}
		for _, v := range []struct {
			name string
			v    sql.NullFloat64
			lab  string
		}{{"share", a.share, "share of imports"}, {"world_export_share", a.wshare, "share of world exports"}} {
			g.vals = append(g.vals, gval{series: v.name, v: v.v.Float64 * 100, ok: v.v.Valid, value: exact(v.v.Float64),
				title: fmt.Sprintf("%s: %s %s", b.name(a.sup), v.lab, pctOrNA(v.v))})
		}
		groups = append(groups, g)
		restr := "—"
		if a.restricted.Valid {
			restr = map[bool]string{true: "yes", false: "no"}[a.restricted.Bool]
			if a.restricted.Bool && a.measures.String != "" {
				restr += " (" + a.measures.String + ")"
			}
		}
		tab.Rows = append(tab.Rows, []string{strconv.Itoa(a.rank), b.name(a.sup), pctOrNA(a.share), pctOrNA(a.share3), pctOrNA(a.wshare),
			num2(a.uvr), withUnit(a.mine, a.punit), withUnit(a.ref, a.punit), withUnit(a.res, a.runit), restr, numOrNA(a.hhi), num2(a.score)})
		if s.Headline == "" {
			s.Headline = fmt.Sprintf("best-ranked alternative %s (%s of imports, %s of world exports)", b.name(a.sup), pctOrNA(a.share), pctOrNA(a.wshare))
		}
	}
	c.groupedBars(groups, []string{"share", "world_export_share"}, []string{"share of imports", "share of world exports"})
	s.Charts = append(s.Charts, c)
	s.Tables = append(s.Tables, tab)
}

// restrictingRaw reads restricting_measures whatever its type (a list or text).
func restrictingRaw(sc schema) string {
	if sc.has("supplier_alternatives", "restricting_measures") {
		return "CASE WHEN restricting_measures IS NULL THEN NULL ELSE regexp_replace(CAST(restricting_measures AS VARCHAR), '^\\[|\\]$', '', 'g') END"
	}
	return "CAST(NULL AS VARCHAR)"
}
