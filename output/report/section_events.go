package report

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var eventCols = []string{"measure_id", "event", "commodity", "hs_code", "freq", "side", "destination", "t", "period", "value_usd", "value_index"}

// eventWindow is the event window read for one measure; found is false
// when the warehouse has no flows around its dates.
type eventWindow struct {
	measureWindow
	event string
	rows  []ew
}

// eventRows are section 4's rows: one window per measure on the group, or
// why this warehouse has none to read.
type eventRows struct {
	sectionRows
	windows []eventWindow
}

func (b *builder) readEvents(gc *groupCtx) (eventRows, error) {
	var r eventRows
	if miss := b.sc.missing("event_windows", eventCols...); len(miss) > 0 || !b.sc.has("trade_measures") {
		r.missing = notAvailable + " (needs trade_measures and event_windows)"
		return r, nil
	}
	for _, m := range gc.measures {
		// One window per measure: group level when there is one, monthly
		// before annual, the event and side with the most rows.
		w := eventWindow{measureWindow: measureWindow{m: m}}
		err := b.q.QueryRowContext(b.ctx, `SELECT hs_code, freq, side, event, `+srcCol(b.sc, "event_windows")+` AS src FROM event_windows
			WHERE measure_id = ? AND commodity = ?
			GROUP BY hs_code, freq, side, event, src
			ORDER BY hs_code IS NULL DESC, freq = 'M' DESC, event = 'effective' DESC, count(*) DESC, sum(value_usd) DESC NULLS LAST, hs_code, side, event, src
			LIMIT 1`, m.id, gc.Slug).Scan(&w.hs, &w.freq, &w.side, &w.event, &w.src)
		if err == sql.ErrNoRows {
			r.windows = append(r.windows, w)
			continue
		}
		if err != nil {
			return r, fmt.Errorf("event_windows: %w", err)
		}
		rows, err := b.q.QueryContext(b.ctx, `SELECT destination, t, strftime(period, '%Y-%m-%d'), value_usd, value_index, `+
			b.sc.col("event_windows", "target_share", "DOUBLE")+`
			FROM event_windows WHERE measure_id = ? AND commodity = ? AND hs_code IS NOT DISTINCT FROM ? AND freq = ? AND side = ? AND event = ?
			  AND `+srcCol(b.sc, "event_windows")+` = ?
			ORDER BY t, destination`, m.id, gc.Slug, w.hs, w.freq, w.side, w.event, w.src)
		if err != nil {
			return r, fmt.Errorf("event_windows: %w", err)
		}
		w.found = true
		for rows.Next() {
			var e ew
			if err := rows.Scan(&e.dest, &e.t, &e.period, &e.value, &e.index, &e.tshare); err != nil {
				rows.Close()
				return r, err
			}
			w.rows = append(w.rows, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, err
		}
		r.windows = append(r.windows, w)
	}
	return r, nil
}

// events lays out section 4, what each measure did: each window's value
// index by destination, and the before/after change as its headline.
func (b *builder) events(s *Section, gc *groupCtx, er eventRows) {
	if len(gc.measures) == 0 {
		s.Missing = "no trade measure on this group"
		return
	}
	var heads []string
	for _, w := range er.windows {
		m := w.m
		if !w.found {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no flows around its effective date in this warehouse.", m.title))
			continue
		}
		hs, freq, side, event, src, all := w.hs, w.freq, w.side, w.event, w.src, w.rows
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
		if h := windowChange(all, dest, freq); h != "" {
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
// baseline either side is too few to quote. The periods after start at
// the mart's t = 0, the first period the measure is in force for at least
// half of, as in every mart.
func windowChange(all []ew, dest, freq string) string {
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
	var pre, post float64
	n := 0
	for ; n < base; n++ {
		a, okA := v[n]
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
	if row := periodAt(all, dest, 0); freq == "A" {
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
