package report

import (
	"database/sql"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// Sections 4-6 read the policy marts (trade_measures, event_windows,
// diversion, supplier_alternatives). Each checks its columns first and
// says "not available in this warehouse" when they are absent.

var eventCols = []string{"measure_id", "event", "commodity", "hs_code", "freq", "side", "destination", "t", "period", "value_usd", "value_index"}

// --- Section 4: what each measure did -----------------------------------------

func (b *builder) events(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "What each measure did"}
	if miss := b.sc.missing("event_windows", eventCols...); len(miss) > 0 || !b.sc.has("trade_measures") {
		s.Missing = notAvailable + " (needs trade_measures and event_windows)"
		return s, nil
	}
	if len(gc.measures) == 0 {
		s.Missing = "no trade measure on this group"
		return s, nil
	}
	var heads []string
	for _, m := range gc.measures {
		// One window per measure: group level when there is one, monthly
		// before annual, the event and side with the most rows.
		var hs sql.NullString
		var freq, side, event, src string
		err := b.q.QueryRowContext(b.ctx, `SELECT hs_code, freq, side, event, `+srcCol(b.sc, "event_windows")+` AS src FROM event_windows
			WHERE measure_id = ? AND commodity = ?
			GROUP BY hs_code, freq, side, event, src
			ORDER BY hs_code IS NULL DESC, freq = 'M' DESC, event = 'effective' DESC, count(*) DESC, sum(value_usd) DESC NULLS LAST, hs_code, side, event, src
			LIMIT 1`, m.id, gc.Slug).Scan(&hs, &freq, &side, &event, &src)
		if err == sql.ErrNoRows {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no flows around its effective date in this warehouse.", m.title))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("event_windows: %w", err)
		}
		rows, err := b.q.QueryContext(b.ctx, `SELECT destination, t, strftime(period, '%Y-%m-%d'), value_usd, value_index, `+
			b.sc.col("event_windows", "target_share", "DOUBLE")+`, coalesce(strftime(`+b.sc.col("event_windows", "event_date", "DATE")+`, '%Y-%m-%d'), '')
			FROM event_windows WHERE measure_id = ? AND commodity = ? AND hs_code IS NOT DISTINCT FROM ? AND freq = ? AND side = ? AND event = ?
			  AND `+srcCol(b.sc, "event_windows")+` = ?
			ORDER BY t, destination`, m.id, gc.Slug, hs, freq, side, event, src)
		if err != nil {
			return nil, fmt.Errorf("event_windows: %w", err)
		}
		var all []ew
		eventDate := m.effective
		for rows.Next() {
			var e ew
			var d string
			if err := rows.Scan(&e.dest, &e.t, &e.period, &e.value, &e.index, &e.tshare, &d); err != nil {
				rows.Close()
				return nil, err
			}
			all = append(all, e)
			if d != "" {
				eventDate = d
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		unit, one := "months", "month"
		if freq == "A" {
			unit, one = "years", "year"
		}
		code := "group level"
		if hs.Valid {
			code = "HS " + hs.String
		}
		c := newChart(fmt.Sprintf("%s-event-%s", gc.Slug, safeID(m.id)), "event_window",
			fmt.Sprintf("%s: exports around %s (%s, %s side)", m.title, m.effective, code, side),
			fmt.Sprintf("%s from t = 0, the first %s in force for at least half of it", unit, one), "value index (pre-event mean = 100)")
		c.From = chartSource{Table: "event_windows", Commodity: gc.Slug, Measure: m.id, HS: hs.String, Freq: freq, Side: side, Event: event, Source: src}
		order := []string{"target", "others", "world"}
		labels := map[string]string{"target": "to the target", "others": "to everyone else", "world": "to the world"}
		colors := map[string]string{"target": palette[1], "others": palette[0], "world": palette[6]}
		var ss []series
		tlo, thi, ymax := math.Inf(1), math.Inf(-1), 100.0
		for _, d := range order {
			sr := series{name: d, label: labels[d], color: colors[d], dash: d == "world"}
			for _, e := range all {
				tlo, thi = math.Min(tlo, float64(e.t)), math.Max(thi, float64(e.t))
				if e.dest != d || !e.index.Valid {
					continue
				}
				sr.pts = append(sr.pts, xy{x: float64(e.t), y: e.index.Float64, period: strconv.Itoa(e.t), value: exact(e.index.Float64),
					title: fmt.Sprintf("t %+d (%s), %s: index %.0f", e.t, e.period, labels[d], e.index.Float64)})
				ymax = math.Max(ymax, e.index.Float64)
			}
			if len(sr.pts) > 0 {
				ss = append(ss, sr)
			}
		}
		if len(ss) == 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no baseline to index against.", m.title))
			continue
		}
		var xt []float64
		step := math.Max(1, math.Ceil((thi-tlo)/12))
		for v := tlo; v <= thi; v += step {
			xt = append(xt, v)
		}
		sx, sy := c.lineChart(ss, tlo-0.5, thi+0.5, 0, ymax, xt, func(v float64) string { return fmt.Sprintf("%+d", int(v)) })
		c.Refs = append(c.Refs, Ref{Y: sy.at(100), Label: "baseline 100"})
		c.Markers = append(c.Markers, Marker{X: sx.at(0), Label: "effective", Date: m.effective, Measure: m.id, Title: m.title + " — effective " + m.effective})
		s.Charts = append(s.Charts, c)
		tab := &Table{Caption: m.title + " — window", Head: []string{"t", "period", "destination", "value, USD", "value index", "target share"}}
		for _, e := range all {
			idx := "—"
			if e.index.Valid {
				idx = fmt.Sprintf("%.1f", e.index.Float64)
			}
			tab.Rows = append(tab.Rows, []string{fmt.Sprintf("%+d", e.t), e.period, e.dest, usdOrNA(e.value), idx, pctOrNA(e.tshare)})
		}
		s.Tables = append(s.Tables, tab)
		// The headline: the window's before/after comparison of the flows
		// to everyone the measure targets, or to all, not one period's index.
		dest := "target"
		if m.targets == "" {
			dest = "world"
		}
		if h := windowChange(all, dest, freq, eventDate); h != "" {
			heads = append(heads, shortTitle(m)+": exports "+labels[dest]+" "+h)
		}
	}
	s.Headline = strings.Join(heads, "; ")
	switch {
	case s.Headline != "":
	case len(s.Charts) == 0:
		s.Headline = "no event window for this group's measures"
	default:
		s.Headline = "no figures after the measures took effect yet"
	}
	return s, nil
}

// ew is one row of an event window.
type ew struct {
	dest, period         string
	t                    int
	value, index, tshare sql.NullFloat64
}

// windowChange compares the value of the flows to dest in the n periods
// from the event on with the n just before it ("+69 % in value, the 12
// months from Aug 2023 on the 12 before"), n as many as both sides have
// reported in full, at most the baseline's length; fewer than half the
// baseline either side is too few to quote. The periods after start as the
// diversion mart's do: the event's month, or the first full year on the
// event (a measure in force from 1 August leaves its year out).
func windowChange(all []ew, dest, freq, eventDate string) string {
	v := map[int]float64{}
	base := 0
	for _, e := range all {
		if e.dest != dest {
			continue
		}
		if e.t < 0 {
			base++
		}
		if e.value.Valid {
			v[e.t] = e.value.Float64
		}
	}
	first := 0
	if freq == "A" && !strings.HasSuffix(eventDate, "-01-01") {
		first = 1
	}
	var pre, post float64
	n := 0
	for ; n < base; n++ {
		a, okA := v[first+n]
		p, okP := v[-1-n]
		if !okA || !okP {
			break
		}
		post, pre = post+a, pre+p
	}
	if n == 0 {
		return ""
	}
	unit := "month"
	if freq == "A" {
		unit = "year"
	}
	if 2*n < base {
		return fmt.Sprintf("not compared: only %d of the window's %d %ss reported on both sides", n, base, unit)
	}
	var from string
	if row := periodAt(all, dest, first); freq == "A" {
		from = row[:4]
	} else {
		t, _ := time.Parse("2006-01-02", row)
		from = t.Format("Jan 2006")
	}
	span := fmt.Sprintf("the %d %ss from %s on the %d before", n, unit, from, n)
	if n == 1 {
		span = fmt.Sprintf("the %s from %s on the one before", unit, from)
	}
	if n < base {
		span += fmt.Sprintf(" (only %d of the window's %d %ss reported on both sides)", n, base, unit)
	}
	if pre == 0 {
		return fmt.Sprintf("%s USD against none, %s", usd(post), span)
	}
	return fmt.Sprintf("%s in value, %s", pctChange(post/pre-1), span)
}

// periodAt is the period of a window's row at t.
func periodAt(all []ew, dest string, t int) string {
	for _, e := range all {
		if e.dest == dest && e.t == t {
			return e.period
		}
	}
	return ""
}

// pctChange formats a relative change: "+69 %", "−80 %".
func pctChange(r float64) string {
	p := math.Round(r * 100)
	switch {
	case p > 0:
		return "+" + grouped(p, 0) + " %"
	case p < 0:
		return grouped(p, 0) + " %"
	}
	return "±0 %"
}

// srcCol is a policy table's source column, or ” where it has none (the
// contract's first form): one source per chart, as the marts keep them apart.
func srcCol(sc schema, table string) string {
	if sc.has(table, "source") {
		return "coalesce(source, '')"
	}
	return "''"
}

func shortTitle(m measure) string {
	if m.typ != "" {
		return strings.ReplaceAll(m.typ, "_", " ") + " " + m.eff.Format("Jan 2006")
	}
	return m.id
}

func safeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// --- Section 5: where else to buy ----------------------------------------------

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

// --- Section 6: diversion candidates ----------------------------------------------

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

// --- Section 7: provenance -------------------------------------------------------

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

func num2(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return fmt.Sprintf("%.2f", v.Float64)
}

func numOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return thousands(v.Float64)
}

func withUnit(v sql.NullFloat64, unit sql.NullString) string {
	if !v.Valid {
		return "—"
	}
	return strings.TrimSpace(thousands(v.Float64) + " " + unit.String)
}

func signedUSD(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	if v.Float64 > 0 {
		return "+" + usd(v.Float64)
	}
	return usd(v.Float64)
}
