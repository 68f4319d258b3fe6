package report

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// dep is one period of a group's dependency_trends.
type dep struct {
	freq, period                          string
	year                                  int
	share, share12, change, topShare, hhi sql.NullFloat64
	total, coverage                       sql.NullFloat64
	top                                   string
	n                                     sql.NullInt64
	band, flag, hsNote                    sql.NullString
	single                                sql.NullBool
	t                                     time.Time
}

// dependencyRows are section 1's rows: the group's annual and monthly
// periods, and whether their coverage was computed here.
type dependencyRows struct {
	sectionRows
	annual, monthly []dep
	computedCov     bool
}

func (b *builder) readDependency(gc *groupCtx) (dependencyRows, error) {
	var d dependencyRows
	t := "dependency_trends"
	cols := []string{b.sc.col(t, "hhi_band", "VARCHAR"), b.sc.col(t, "coverage_ratio", "DOUBLE"),
		b.sc.col(t, "coverage_flag", "VARCHAR"), b.sc.col(t, "single_supplier", "BOOLEAN"), b.sc.col(t, "hs_revision_note", "VARCHAR")}
	rows, err := b.q.QueryContext(b.ctx, `SELECT freq, strftime(period, '%Y-%m-%d'), year, concern_share, concern_share_12m,
		share_change_pp, coalesce(top_partner_iso3, ''), top_share, hhi, total_value_usd, n_partners, `+strings.Join(cols, ", ")+`
		FROM dependency_trends WHERE reporter_iso3 = ? AND commodity = ? AND hs_code IS NULL AND source = ?
		ORDER BY freq, period`, b.o.Reporter, gc.Slug, gc.source)
	if err != nil {
		return d, fmt.Errorf("dependency_trends: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p dep
		if err := rows.Scan(&p.freq, &p.period, &p.year, &p.share, &p.share12, &p.change, &p.top, &p.topShare, &p.hhi,
			&p.total, &p.n, &p.band, &p.coverage, &p.flag, &p.single, &p.hsNote); err != nil {
			return d, err
		}
		p.t, _ = time.Parse("2006-01-02", p.period)
		if p.freq == "M" {
			d.monthly = append(d.monthly, p)
		} else {
			d.annual = append(d.annual, p)
		}
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	// Without the mart's coverage, the share of a reported World total that
	// the partner rows cover is computed here from import_shares.
	d.computedCov = !b.sc.has(t, "coverage_ratio")
	if d.computedCov {
		cov, err := b.partnerCoverage(gc)
		if err != nil {
			return d, err
		}
		for i := range d.annual {
			if v, ok := cov[d.annual[i].year]; ok {
				d.annual[i].coverage = sql.NullFloat64{Float64: v, Valid: true}
			}
		}
	}
	return d, nil
}

// dependency lays out section 1, dependency over time: the concern share
// and HHI charts, the annual and monthly tables and the group's measures.
// It leaves the latest year's figures in gc for the headline and section 3.
func (b *builder) dependency(s *Section, gc *groupCtx, dr dependencyRows) {
	t := "dependency_trends"
	annual, monthly, computedCov := dr.annual, dr.monthly, dr.computedCov
	gc.annual = map[int]sql.NullFloat64{}
	for _, d := range annual {
		gc.annual[d.year] = d.share
	}
	gc.monthlyPoints = len(monthly)
	if len(annual) > 0 {
		last := annual[len(annual)-1]
		gc.lastYear, gc.lastShare, gc.lastChange = last.year, last.share, last.change
		head := fmt.Sprintf("%s %s in %d", b.r.ConcernName, pctOrNA(last.share), last.year)
		if last.change.Valid {
			head += " (" + ppSigned(last.change.Float64) + ")"
		}
		if last.top != "" {
			head += fmt.Sprintf(", top partner %s %s", b.name(last.top), pctOrNA(last.topShare))
		}
		if last.hhi.Valid {
			head += fmt.Sprintf(", HHI %s (%s)", thousands(last.hhi.Float64), b.band(last.band, last.hhi))
		}
		if last.coverage.Valid && last.coverage.Float64 < 0.95 {
			head += fmt.Sprintf("; partner detail covers only %s of the World total", pct0(last.coverage.Float64))
		}
		s.Headline = head
	}

	// Concern share chart: annual, monthly and the trailing 12 months on
	// one time axis, measures at their effective dates.
	c := newChart(s.idFor(gc, "share"), "concern_share",
		fmt.Sprintf("%s's share of %s imports of %s", b.r.ConcernName, b.r.ReporterName, strings.ToLower(gc.Name)),
		"period (year; months where monthly data exist)", "share of imports, %")
	c.attrs(b, gc, "dependency_trends")
	xlo, xhi := math.Inf(1), math.Inf(-1)
	var sa, sm, s12 series
	sa = series{name: "annual", label: "annual"}
	sm = series{name: "monthly", label: "monthly"}
	s12 = series{name: "rolling_12m", label: "trailing 12 months", dash: true}
	ymax := 0.0
	for _, d := range annual {
		xlo, xhi = math.Min(xlo, float64(d.year)), math.Max(xhi, float64(d.year+1))
		if d.share.Valid {
			sa.pts = append(sa.pts, xy{x: float64(d.year) + .5, y: d.share.Float64 * 100, period: strconv.Itoa(d.year),
				value: exact(d.share.Float64), title: fmt.Sprintf("%d: %s %s", d.year, b.r.ConcernName, pct1(d.share.Float64))})
			ymax = math.Max(ymax, d.share.Float64*100)
		}
	}
	for _, d := range monthly {
		x := decimalYear(d.t)
		xlo, xhi = math.Min(xlo, x), math.Max(xhi, x+1.0/12)
		p := d.t.Format("2006-01")
		if d.share.Valid {
			sm.pts = append(sm.pts, xy{x: x + 1.0/24, y: d.share.Float64 * 100, period: p, value: exact(d.share.Float64),
				title: fmt.Sprintf("%s: %s %s", p, b.r.ConcernName, pct1(d.share.Float64))})
			ymax = math.Max(ymax, d.share.Float64*100)
		}
		if d.share12.Valid {
			s12.pts = append(s12.pts, xy{x: x + 1.0/24, y: d.share12.Float64 * 100, period: p, value: exact(d.share12.Float64),
				title: fmt.Sprintf("%s: trailing 12 months %s", p, pct1(d.share12.Float64))})
		}
	}
	if len(annual)+len(monthly) == 0 {
		s.Missing = "no group-level rows in dependency_trends"
		return
	}
	for _, m := range gc.measures {
		x := decimalYear(m.eff)
		if x >= xlo-1 {
			xhi = math.Max(xhi, x+0.25)
			xlo = math.Min(xlo, x)
		}
	}
	ss := []series{sa}
	if len(monthly) > 0 {
		ss = append(ss, sm, s12)
	}
	var xt []float64
	step := math.Max(1, math.Ceil((xhi-xlo)/12))
	for y := math.Ceil(xlo); y <= xhi; y += step {
		xt = append(xt, y)
	}
	sx, _ := c.lineChart(ss, xlo, xhi, 0, math.Max(ymax, 10), xt, func(v float64) string { return strconv.Itoa(int(v)) })
	c.markMeasures(gc.measures, sx, xlo)
	s.Charts = append(s.Charts, c)

	// HHI chart with its bands.
	h := newChart(s.idFor(gc, "hhi"), "hhi", "Supplier concentration (Herfindahl-Hirschman index)", "year", "HHI, 0-10,000")
	h.H, h.Y1 = 240, 190
	h.attrs(b, gc, "dependency_trends")
	hs := series{name: "hhi", label: "HHI"}
	hmax := b.high * 1.1
	for _, d := range annual {
		if d.hhi.Valid {
			hs.pts = append(hs.pts, xy{x: float64(d.year) + .5, y: d.hhi.Float64, period: strconv.Itoa(d.year), value: exact(d.hhi.Float64),
				title: fmt.Sprintf("%d: HHI %s (%s)", d.year, thousands(d.hhi.Float64), b.band(d.band, d.hhi))})
			hmax = math.Max(hmax, d.hhi.Float64)
		}
	}
	if len(hs.pts) > 0 {
		_, hy := h.lineChart([]series{hs}, xlo, xhi, 0, hmax, xt, func(v float64) string { return strconv.Itoa(int(v)) })
		h.Refs = append(h.Refs, Ref{Y: hy.at(b.moderate), Label: "moderately concentrated ≥ " + thousands(b.moderate)},
			Ref{Y: hy.at(b.high), Label: "highly concentrated ≥ " + thousands(b.high)})
		h.markMeasures(gc.measures, sx, xlo)
		s.Charts = append(s.Charts, h)
	} else {
		s.Notes = append(s.Notes, "No HHI: the partner detail is too thin for a concentration figure.")
	}
	if !b.sc.has(t, "hhi_band") {
		s.Notes = append(s.Notes, fmt.Sprintf("HHI band computed here with the US merger guidelines' thresholds (%s moderately, %s highly concentrated); this warehouse's dependency_trends has no hhi_band column.",
			thousands(b.moderate), thousands(b.high)))
	}
	if computedCov {
		s.Notes = append(s.Notes, "Coverage: the partner rows' sum over the reported World total, computed here from import_shares (this warehouse's dependency_trends has no coverage_ratio column). Where it is low, the top partner and HHI describe only the partners reported.")
	}

	tab := &Table{Caption: "Annual figures (group level, source " + gc.source + ")",
		Head: []string{"year", "imports, USD", b.r.ConcernName + " share", "change, pp", "top partner", "top share", "HHI", "band", "single supplier", "partners", "coverage"}}
	for _, d := range annual {
		cov := "—"
		if d.coverage.Valid {
			cov = pct1(d.coverage.Float64)
		}
		if d.flag.Valid && d.flag.String != "" {
			cov += " (" + d.flag.String + ")"
		}
		single := "—"
		if d.single.Valid {
			single = map[bool]string{true: "yes", false: "no"}[d.single.Bool]
		}
		hhi := "—"
		if d.hhi.Valid {
			hhi = thousands(d.hhi.Float64)
		}
		tab.Rows = append(tab.Rows, []string{strconv.Itoa(d.year), usdOrNA(d.total), pctOrNA(d.share), ppOrNA(d.change),
			b.name(d.top), pctOrNA(d.topShare), hhi, b.band(d.band, d.hhi), single, intOrNA(d.n), cov})
		if d.hsNote.Valid && d.hsNote.String != "" {
			s.Notes = appendOnce(s.Notes, fmt.Sprintf("HS revision: %s", d.hsNote.String))
		}
	}
	s.Tables = append(s.Tables, tab)
	if len(monthly) > 0 {
		mt := &Table{Caption: "Monthly figures", Head: []string{"month", "imports, USD", b.r.ConcernName + " share", "trailing 12 months", "top partner"}}
		for _, d := range monthly {
			mt.Rows = append(mt.Rows, []string{d.t.Format("2006-01"), usdOrNA(d.total), pctOrNA(d.share), pctOrNA(d.share12), b.name(d.top)})
		}
		s.Tables = append(s.Tables, mt)
	} else {
		s.Notes = append(s.Notes, "No monthly data for this group: annual figures only.")
	}
	if len(gc.measures) > 0 {
		s.Tables = append(s.Tables, b.measureTable(gc.measures))
	} else if !b.sc.has("trade_measures") {
		s.Notes = append(s.Notes, "Export-control measures: "+notAvailable+" (no trade_measures table).")
	}
}

// partnerCoverage is, per year, the sum of the partners' shares of a
// reported World total (group level, annual).
func (b *builder) partnerCoverage(gc *groupCtx) (map[int]float64, error) {
	rows, err := b.q.QueryContext(b.ctx, `SELECT year, sum(share) FROM import_shares
		WHERE freq = 'A' AND reporter_iso3 = ? AND commodity = ? AND hs_code IS NULL AND source = ?
		  AND total_basis = 'reported_world' AND share IS NOT NULL GROUP BY year`, b.o.Reporter, gc.Slug, gc.source)
	if err != nil {
		return nil, fmt.Errorf("import_shares: %w", err)
	}
	defer rows.Close()
	out := map[int]float64{}
	for rows.Next() {
		var y int
		var v float64
		if err := rows.Scan(&y, &v); err != nil {
			return nil, err
		}
		out[y] = v
	}
	return out, rows.Err()
}

// band names an HHI's concentration band: the mart's where it stores one,
// else by the thresholds the builder holds.
func (b *builder) band(stored sql.NullString, hhi sql.NullFloat64) string {
	if stored.Valid && stored.String != "" {
		return strings.ReplaceAll(stored.String, "_", " ")
	}
	if !hhi.Valid {
		return "—"
	}
	switch {
	case hhi.Float64 >= b.high:
		return "highly concentrated"
	case hhi.Float64 >= b.moderate:
		return "moderately concentrated"
	}
	return "unconcentrated"
}

// appendOnce appends s to l unless l holds it already.
func appendOnce(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}
