package etl

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var relativePeriod = regexp.MustCompile(`^-(\d+)\s*(m|y|months?|years?)$`)

// maxBack is the furthest a relative period counts back, in months or
// years: much further and it leaves the four-digit years sources read.
const maxBack = 1000

// ResolvePeriod turns a period expression of a job config into a concrete
// period: "latest" (or "now") is the current year for annual data and the
// current month otherwise; "-60m" / "-5y" count back from it. Anything else
// is returned as written, for the source to validate.
func ResolvePeriod(expr, freq string, now time.Time) string {
	s := strings.ToLower(strings.TrimSpace(expr))
	now = now.UTC()
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch {
	case s == "latest" || s == "now":
		return FormatPeriod(cur, freq)
	case relativePeriod.MatchString(s):
		m := relativePeriod.FindStringSubmatch(s)
		n, err := strconv.Atoi(m[1])
		if err != nil || n > maxBack {
			return expr // no period that far back: the source refuses it as written
		}
		if strings.HasPrefix(m[2], "y") {
			return FormatPeriod(cur.AddDate(-n, 0, 0), freq)
		}
		return FormatPeriod(cur.AddDate(0, -n, 0), freq)
	}
	return expr
}

// FormatPeriod writes a period as sources take it: YYYY for annual data,
// YYYYMM for monthly.
func FormatPeriod(t time.Time, freq string) string {
	if freq == "A" {
		return t.Format("2006")
	}
	return t.Format("200601")
}

// freqOf is a config's frequency: its freq field, monthly by default
// (census data is monthly and has no freq field).
func freqOf(raw map[string]any) string {
	if f, _ := raw["freq"].(string); f == "A" {
		return "A"
	}
	return "M"
}

// Cursor is the latest period a job has loaded, e.g. "A:2023-01-01".
type Cursor struct {
	Freq   string
	Period time.Time
}

func (c Cursor) String() string {
	if c.Period.IsZero() {
		return ""
	}
	return c.Freq + ":" + c.Period.Format("2006-01-02")
}

// ParseCursor reads a stored cursor; "" is the zero cursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	f, d, ok := strings.Cut(s, ":")
	t, err := time.Parse("2006-01-02", d)
	if !ok || err != nil || (f != "A" && f != "M") {
		return Cursor{}, fmt.Errorf("bad cursor %q", s)
	}
	return Cursor{Freq: f, Period: t}, nil
}

// CursorOf is the latest period of a load's stats, or the previous cursor
// when the load touched nothing later.
func CursorOf(st LoadStats, prev Cursor) Cursor {
	c := prev
	for freq, periods := range st.Periods {
		for _, p := range periods {
			t, err := time.Parse("2006-01-02", p)
			if err != nil {
				continue
			}
			if c.Period.IsZero() || t.After(c.Period) {
				c = Cursor{Freq: freq, Period: t}
			}
		}
	}
	return c
}

// PeriodRange applies run-time period rules to a job's raw config, for
// sources with from/to fields: relative expressions are resolved, and an
// incremental run starts at the cursor less the revision window (trade
// figures are revised for about two years) rather than at the configured
// start. It returns a new map; raw is not modified.
func PeriodRange(raw map[string]any, cursor Cursor, windowMonths int, now time.Time) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		out[k] = v
	}
	if _, ok := raw["from"]; !ok {
		return out
	}
	freq := freqOf(raw)
	for _, k := range []string{"from", "to"} {
		if s, ok := out[k].(string); ok {
			out[k] = ResolvePeriod(s, freq, now)
		}
	}
	if cursor.Period.IsZero() {
		return out
	}
	// Whole years: sources split requests by year, so an incremental run
	// asks the same requests as a full one and replays find them.
	start := cursor.Period.AddDate(0, -windowMonths, 0)
	start = time.Date(start.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	from := fmt.Sprint(out["from"])
	if _, configured, err := PeriodStart(from); err == nil && !start.After(configured) {
		return out // the window reaches back past the configured start
	}
	out["from"] = FormatPeriod(start, freq)
	return out
}
