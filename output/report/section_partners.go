package report

import (
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// partnerShare is one partner's row of import_shares.
type partnerShare struct {
	partner      string
	value, share sql.NullFloat64
	isArea       bool
}

// partnerYear is one year of a group's partners, in rank order.
type partnerYear struct {
	y        int
	total    sql.NullFloat64
	basis    string
	coverage sql.NullFloat64
	shares   []partnerShare
}

// partnerRows are section 2's rows: the group's annual partner shares and
// each named partner's value over the whole span, or why there are none.
type partnerRows struct {
	sectionRows
	years   []*partnerYear
	byValue map[string]float64
}

func (b *builder) readPartners(gc *groupCtx) (partnerRows, error) {
	p := partnerRows{byValue: map[string]float64{}}
	t := "import_shares"
	area := "coalesce(c.is_area, false)"
	if b.sc.has(t, "is_area") {
		area = "coalesce(i.is_area, false)"
	}
	rows, err := b.q.QueryContext(b.ctx, `SELECT i.year, i.partner_iso3, i.value_usd, i.share, i.total_value_usd, i.total_basis, `+
		b.sc.qcol(t, "i", "coverage_ratio", "DOUBLE")+`, `+area+` AS is_area
		FROM import_shares i LEFT JOIN countries c ON c.iso3 = i.partner_iso3
		WHERE i.reporter_iso3 = ? AND i.commodity = ? AND i.hs_code IS NULL AND i.freq = 'A' AND i.source = ?
		ORDER BY i.year, i.rank`, b.o.Reporter, gc.Slug, gc.source)
	if err != nil {
		return p, fmt.Errorf("import_shares: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		var sh partnerShare
		var total, cov sql.NullFloat64
		var basis string
		if err := rows.Scan(&y, &sh.partner, &sh.value, &sh.share, &total, &basis, &cov, &sh.isArea); err != nil {
			return p, err
		}
		if len(p.years) == 0 || p.years[len(p.years)-1].y != y {
			p.years = append(p.years, &partnerYear{y: y, total: total, basis: basis, coverage: cov})
		}
		cur := p.years[len(p.years)-1]
		cur.shares = append(cur.shares, sh)
		if sh.value.Valid && !sh.isArea {
			p.byValue[sh.partner] += sh.value.Float64
		}
	}
	if len(p.years) == 0 {
		p.missing = "no annual group-level rows in import_shares"
	}
	return p, rows.Err()
}

// partners lays out section 2, who supplies it: each year's partner shares
// as stacked bars, the five largest partners of the span named.
func (b *builder) partners(s *Section, gc *groupCtx, pr partnerRows) {
	t := "import_shares"
	years, byValue := pr.years, pr.byValue
	// The five largest partners over the whole span; the rest is "others".
	var ps []string
	for p := range byValue {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if byValue[ps[i]] != byValue[ps[j]] {
			return byValue[ps[i]] > byValue[ps[j]]
		}
		return ps[i] < ps[j]
	})
	if len(ps) > 5 {
		ps = ps[:5]
	}
	top := map[string]bool{}
	var legend []LegendItem
	c := newChart(s.idFor(gc, "partners"), "partner_shares", fmt.Sprintf("Partners' shares of %s imports of %s", b.r.ReporterName, strings.ToLower(gc.Name)),
		"year", "share of imports, %")
	c.attrs(b, gc, "import_shares")
	for i, p := range ps {
		top[p] = true
		legend = append(legend, LegendItem{Series: p, Label: b.name(p), Color: palette[i]})
	}
	legend = append(legend, LegendItem{Series: "others", Label: "others", Color: "#b8c2cc"},
		LegendItem{Series: "unallocated", Label: "not allocated to a partner (partial detail)", Color: "#ffffff", Hatch: true})
	head := []string{"year"}
	for _, p := range ps {
		head = append(head, b.name(p))
	}
	head = append(head, "others", "not allocated", "total imports, USD", "denominator")
	tab := &Table{Caption: "Shares of imports by partner (group level, annual)", Head: head}
	var stacks []stack
	partial := false
	for _, y := range years {
		st := stack{period: strconv.Itoa(y.y)}
		row := []string{st.period}
		byP := map[string]sql.NullFloat64{}
		others, covered := 0.0, 0.0
		for _, sh := range y.shares {
			if !sh.share.Valid {
				continue
			}
			covered += sh.share.Float64
			if top[sh.partner] {
				byP[sh.partner] = sh.share
			} else {
				others += sh.share.Float64
			}
		}
		for _, p := range ps {
			v := byP[p]
			row = append(row, pctOrNA(v))
			if v.Valid {
				st.segs = append(st.segs, seg{series: p, v: v.Float64, value: exact(v.Float64),
					title: fmt.Sprintf("%d: %s %s", y.y, b.name(p), pct1(v.Float64))})
			}
		}
		st.segs = append(st.segs, seg{series: "others", v: others, value: exact(others),
			title: fmt.Sprintf("%d: other partners %s", y.y, pct1(others))})
		row = append(row, pct1(others))
		un := 0.0
		switch {
		case y.coverage.Valid:
			un = 1 - y.coverage.Float64
		case y.basis == "reported_world":
			un = 1 - covered
		}
		if un > 1e-9 {
			partial = true
			st.segs = append(st.segs, seg{series: "unallocated", v: un, value: exact(un), hatch: true,
				title: fmt.Sprintf("%d: %s of the reported total has no partner detail", y.y, pct1(un))})
			row = append(row, pct1(un))
		} else {
			row = append(row, "—")
		}
		basis := strings.ReplaceAll(y.basis, "_", " ")
		if y.coverage.Valid {
			basis += ", coverage " + pct1(y.coverage.Float64)
		}
		row = append(row, usdOrNA(y.total), basis)
		tab.Rows = append(tab.Rows, row)
		stacks = append(stacks, st)
	}
	c.stackedBars(stacks, legend)
	s.Charts = append(s.Charts, c)
	s.Tables = append(s.Tables, tab)
	last := years[len(years)-1]
	if len(last.shares) > 0 && last.shares[0].share.Valid {
		s.Headline = fmt.Sprintf("%d: %s %s", last.y, b.name(last.shares[0].partner), pct1(last.shares[0].share.Float64))
		if len(last.shares) > 1 && last.shares[1].share.Valid {
			s.Headline += fmt.Sprintf(", %s %s", b.name(last.shares[1].partner), pct1(last.shares[1].share.Float64))
		}
	}
	if partial {
		s.Notes = append(s.Notes, "Hatched: the part of the reported World total that the partner detail does not cover.")
		s.Headline += "; partner detail partial"
	}
	if b.sc.has(t, "is_area") || b.sc.has("countries", "is_area") {
		s.Notes = append(s.Notes, "Partner areas (e.g. 'Other Asia, nes') are never among the named top partners; they count in 'others'.")
	}
}
