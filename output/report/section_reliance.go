package report

import (
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// nirRows are section 3's rows: the reporter's USGS net import reliance
// figures for the group, or why this warehouse has none to read.
type nirRows struct {
	sectionRows
	all []nir
}

func (b *builder) readNIR(gc *groupCtx) (nirRows, error) {
	var r nirRows
	if !b.sc.has("mineral_statistics_latest") || !b.sc.has("commodity_usgs") {
		r.missing = notAvailable + " (no USGS statistics)"
		return r, nil
	}
	rows, err := b.q.QueryContext(b.ctx, `SELECT m.commodity, m.product, m.year, m.value, coalesce(m.qualifier, ''), m.edition
		FROM mineral_statistics_latest m JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
		WHERE cu.commodity = ? AND m.measure = 'net_import_reliance' AND m.country_iso3 = ?
		ORDER BY m.commodity, m.product, m.year`, gc.Slug, b.o.Reporter)
	if err != nil {
		return r, fmt.Errorf("mineral_statistics_latest: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n nir
		if err := rows.Scan(&n.comm, &n.prod, &n.year, &n.v, &n.qual, &n.ed); err != nil {
			return r, err
		}
		r.all = append(r.all, n)
	}
	return r, rows.Err()
}

// nir lays out section 3, net import reliance: the USGS figures as lines,
// beside the concern share section 1 left in gc.
func (b *builder) nir(s *Section, gc *groupCtx, nr nirRows) {
	all := nr.all
	if len(all) == 0 {
		if b.o.Reporter != "USA" {
			s.Missing = "USGS publishes net import reliance for the United States only"
		} else {
			s.Missing = notAvailable + " (no USGS net import reliance for this group)"
		}
		return
	}
	c := newChart(s.idFor(gc, "nir"), "nir", fmt.Sprintf("Net import reliance of the %s, USGS", b.r.ReporterName),
		"year", "NIR, % of consumption")
	c.From = chartSource{Table: "mineral_statistics_latest", Reporter: b.o.Reporter, Commodity: gc.Slug}
	var ss []series
	idx := map[string]int{}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	tab := &Table{Caption: "Net import reliance beside the trade figures", Head: []string{"USGS commodity", "year", "net import reliance", "edition", b.r.ConcernName + " share of imports (trade data)"}}
	for _, n := range all {
		key := n.comm
		if n.prod != "" {
			key += "/" + n.prod
		}
		if _, ok := idx[key]; !ok {
			idx[key] = len(ss)
			ss = append(ss, series{name: key, label: n.name()})
		}
		xlo, xhi = math.Min(xlo, float64(n.year)), math.Max(xhi, float64(n.year)+1)
		label := nirLabel(n.v, n.qual)
		if n.v.Valid {
			ss[idx[key]].pts = append(ss[idx[key]].pts, xy{x: float64(n.year) + .5, y: n.v.Float64, period: strconv.Itoa(n.year),
				value: exact(n.v.Float64), title: fmt.Sprintf("%d: %s %s (%s)", n.year, key, label, n.ed)})
		}
		trade := "—"
		if v, ok := gc.annual[n.year]; ok {
			trade = pctOrNA(v)
		}
		tab.Rows = append(tab.Rows, []string{key, strconv.Itoa(n.year), label, n.ed, trade})
	}
	s.Headline = nirHeadline(all)
	var xt []float64
	for y := math.Ceil(xlo); y <= xhi; y++ {
		xt = append(xt, y)
	}
	c.lineChart(ss, xlo, xhi, 0, 100, xt, func(v float64) string { return strconv.Itoa(int(v)) })
	for _, sr := range ss {
		if len(sr.pts) == 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("Not drawn: %s, for which USGS gives a qualifier but no figure (see the table).", sr.label))
		}
	}
	s.Charts = append(s.Charts, c)
	s.Tables = append(s.Tables, tab)
	s.Notes = append(s.Notes, "Qualifiers as USGS prints them: '>95' is plotted at 95; 'E' marks a net exporter.")
}

// nir is one USGS net import reliance figure.
type nir struct {
	comm, prod, qual, ed string
	year                 int
	v                    sql.NullFloat64
}

// reliance orders figures by how import-reliant they say the country is:
// '>95' above 95, '<1' below 1, a net exporter below every figure; false
// for a figure USGS withholds or does not give.
func (n nir) reliance() (float64, bool) {
	switch {
	case n.qual == "E":
		return math.Inf(-1), true
	case !n.v.Valid:
		return 0, false
	case n.qual == ">":
		return n.v.Float64 + 0.5, true
	case n.qual == "<":
		return n.v.Float64 - 0.5, true
	}
	return n.v.Float64, true
}

func (n nir) name() string {
	s := strings.ReplaceAll(n.comm, "_", " ")
	if n.prod != "" {
		s += ", " + n.prod
	}
	return s
}

// nirHeadline states the figure an analyst would quote: the most
// import-reliant form in the latest year with a figure, its qualifier
// kept, and the year's other forms after it.
func nirHeadline(all []nir) string {
	year := 0
	for _, n := range all {
		if _, ok := n.reliance(); ok && n.year > year {
			year = n.year
		}
	}
	var forms []nir
	for _, n := range all {
		if _, ok := n.reliance(); ok && n.year == year {
			forms = append(forms, n)
		}
	}
	if len(forms) == 0 {
		return "no net import reliance figure (USGS withholds or does not give one)"
	}
	sort.SliceStable(forms, func(i, j int) bool {
		ri, _ := forms[i].reliance()
		rj, _ := forms[j].reliance()
		return ri > rj
	})
	h := fmt.Sprintf("%s %s in %d", forms[0].name(), nirLabel(forms[0].v, forms[0].qual), year)
	var rest []string
	for _, n := range forms[1:] {
		name := n.name()
		if n.comm == forms[0].comm && n.prod != "" {
			name = n.prod
		}
		rest = append(rest, name+" "+nirLabel(n.v, n.qual))
	}
	if len(rest) > 0 {
		h += "; " + strings.Join(rest, ", ")
	}
	return h
}

func nirLabel(v sql.NullFloat64, q string) string {
	switch {
	case q == "E":
		return "E (net exporter)"
	case !v.Valid && q != "":
		return q
	case !v.Valid:
		return "—"
	case q == ">" || q == "<":
		return q + strconv.FormatFloat(v.Float64, 'f', -1, 64) + " %"
	}
	return strconv.FormatFloat(v.Float64, 'f', -1, 64) + " %"
}
