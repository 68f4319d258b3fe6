package report

import (
	"context"
	"database/sql"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The headlines state the figures an analyst would quote, recomputed here
// from the marts: net import reliance of the most import-reliant form
// (rare earths' compounds and metals, not the concentrate USGS marks as
// net exported; gallium's 100 %, not germanium's >50 %), and a measure's
// effect as its window's periods after against as many before.
func TestHeadlinesMatchMarts(t *testing.T) {
	wh := openWH(t, demoWarehouse(t), false)
	policyFixture(t, wh.DB())
	r, err := Build(context.Background(), wh.DB(), Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	checkHeadlines(t, wh.DB(), r)
	for _, c := range []struct{ group, want string }{
		{"rare_earths", "rare earths, compounds-metals >95 % in 2023"},
		{"gallium_germanium", "gallium 100 % in 2023"},
	} {
		if h := section(t, r, c.group, 3).Headline; !strings.HasPrefix(h, c.want) {
			t.Errorf("%s: NIR headline %q, want it to start %q", c.group, h, c.want)
		}
	}
}

var (
	// "+69 % in value, the 12 months from Aug 2023 on the 12 before"
	changeRe = regexp.MustCompile(`: exports (to the target|to the world) (?:([+−]?[\d,]+|±0) % in value|(\S+ \S+) USD against none), the (?:(\d+) )?(month|year)s? from `)
	onlyRe   = regexp.MustCompile(`only (\d+) of the window's (\d+) `)
)

// checkHeadlines recomputes from the marts what the headlines of sections
// 3 (net import reliance) and 4 (what each measure did) state, and finds
// it there.
func checkHeadlines(t *testing.T, db *sql.DB, r *Report) {
	t.Helper()
	for _, g := range r.Groups {
		nir := g.Sections[2]
		if nir.Missing == "" {
			var comm, prod, q string
			var year int
			var v sql.NullFloat64
			err := db.QueryRow(`WITH f AS (
				  SELECT m.commodity, m.product, m.year, m.value, coalesce(m.qualifier, '') AS q
				  FROM mineral_statistics_latest m JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
				  WHERE cu.commodity = ? AND m.measure = 'net_import_reliance' AND m.country_iso3 = ?
				    AND (m.value IS NOT NULL OR m.qualifier = 'E'))
				SELECT commodity, product, year, value, q FROM f WHERE year = (SELECT max(year) FROM f)
				ORDER BY CASE WHEN q = 'E' THEN -1e308 ELSE value + CASE q WHEN '>' THEN 0.5 WHEN '<' THEN -0.5 ELSE 0 END END DESC,
				         commodity, product
				LIMIT 1`, g.Slug, r.Reporter).Scan(&comm, &prod, &year, &v, &q)
			if err != nil {
				t.Fatalf("%s: NIR: %v", g.Slug, err)
			}
			name := strings.ReplaceAll(comm, "_", " ")
			if prod != "" {
				name += ", " + prod
			}
			figure := "E (net exporter)"
			if q != "E" {
				figure = q + strconv.FormatFloat(v.Float64, 'f', -1, 64) + " %"
			}
			if want := name + " " + figure + " in " + strconv.Itoa(year); !strings.HasPrefix(nir.Headline, want) {
				t.Errorf("%s: NIR headline %q, the marts' most import-reliant form is %q", g.Slug, nir.Headline, want)
			}
		}
		ev := g.Sections[3]
		if strings.Contains(ev.Headline, "index") {
			t.Errorf("%s: section 4 headline %q quotes an index", g.Slug, ev.Headline)
		}
		parts := strings.Split(ev.Headline, "; ")
		for _, c := range ev.Charts {
			if c.Kind != "event_window" {
				continue
			}
			checkWindowHeadline(t, db, g.Slug, c.From, parts)
		}
	}
}

// checkWindowHeadline recomputes one measure's before/after comparison:
// the n periods from t = 0 (the first period the measure is in force for
// at least half of) against the n before, n as many as both sides report;
// under half the baseline either side, no figure is quoted.
func checkWindowHeadline(t *testing.T, db *sql.DB, group string, w chartSource, parts []string) {
	t.Helper()
	var typ string
	var eff time.Time
	var targets int
	if err := db.QueryRow(`SELECT measure_type, effective_date, coalesce(len(target_iso3), 0) FROM trade_measures WHERE measure_id = ?`,
		w.Measure).Scan(&typ, &eff, &targets); err != nil {
		t.Fatal(err)
	}
	dest := "target"
	if targets == 0 {
		dest = "world"
	}
	rows, err := db.Query(`SELECT t, value_usd FROM event_windows WHERE measure_id = $1 AND commodity = $2
		AND coalesce(hs_code, '') = $3 AND freq = $4 AND side = $5 AND event = $6 AND destination = $7`+sourceIs(db, "event_windows", "$8"),
		w.Measure, w.Commodity, w.HS, w.Freq, w.Side, w.Event, dest, w.Source)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[int]float64{}
	base := 0
	for rows.Next() {
		var tt int
		var v sql.NullFloat64
		if err := rows.Scan(&tt, &v); err != nil {
			t.Fatal(err)
		}
		if tt < 0 {
			base++
		}
		if v.Valid {
			vals[tt] = v.Float64
		}
	}
	rows.Close()
	// t = 0 is the mart's: the first period the measure is in force for at
	// least half of.
	var pre, post float64
	n := 0
	for ; n < base; n++ {
		a, okA := vals[n]
		b, okB := vals[-1-n]
		if !okA || !okB {
			break
		}
		post, pre = post+a, pre+b
	}
	prefix := strings.ReplaceAll(typ, "_", " ") + " " + eff.Format("Jan 2006")
	var mine []string
	for _, p := range parts {
		if strings.HasPrefix(p, prefix+":") {
			mine = append(mine, p)
		}
	}
	if n == 0 {
		return
	}
	if 2*n < base {
		// Too few periods to quote a change: said in words, no figure.
		for _, p := range mine {
			if o := onlyRe.FindStringSubmatch(p); o != nil && o[1] == strconv.Itoa(n) && o[2] == strconv.Itoa(base) &&
				strings.Contains(p, "exports to the "+dest+" not compared") && !strings.Contains(p, "%") {
				return
			}
		}
		t.Errorf("%s: %s has %d of %d periods either side, and no headline says it is not compared: %q", group, w.Measure, n, base, mine)
		return
	}
	for _, p := range mine {
		m := changeRe.FindStringSubmatch(p)
		if m == nil || m[1] != "to the "+dest {
			continue
		}
		got := 1
		if m[4] != "" {
			got, _ = strconv.Atoi(m[4])
		}
		if got != n {
			continue
		}
		if pre == 0 {
			if m[3] == "" {
				t.Errorf("%s: %q: nothing before, yet a relative change", group, p)
			}
			return
		}
		pct, err := strconv.ParseFloat(strings.NewReplacer("−", "-", ",", "", "±", "").Replace(m[2]), 64)
		if err != nil {
			t.Errorf("%s: %q: %v", group, p, err)
			return
		}
		if want := 100 * (post/pre - 1); math.Abs(pct-want) > 0.5 {
			t.Errorf("%s: %q: the marts give %+.2f %% (%.0f after on %.0f before, %d periods)", group, p, want, post, pre, n)
		}
		o := onlyRe.FindStringSubmatch(p)
		if (n < base) != (o != nil) || o != nil && (o[1] != strconv.Itoa(n) || o[2] != strconv.Itoa(base)) {
			t.Errorf("%s: %q: %d of %d periods either side, not said so", group, p, n, base)
		}
		return
	}
	t.Errorf("%s: no headline of %s states the %d periods after on the %d before (exports to the %s, %.0f on %.0f): %q",
		group, w.Measure, n, n, dest, post, pre, parts)
}
