package etl

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzPeriods reads period text as configs, files and stored cursors give
// it. A period starts at midnight UTC on the first of a month (January for
// a year), ignores surrounding space, and written out as sources take it
// reads back as itself; a stored cursor written out reads back as itself;
// "latest", "now" and "-n" months or years resolve to a period of the
// asked frequency no later than now, or, counting back too far, are left
// as written for the source to refuse. Its seeds are in
// testdata/fuzz/FuzzPeriods.
func FuzzPeriods(f *testing.F) {
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, p string, annual bool) {
		freq, start, err := PeriodStart(p)
		if freq2, start2, err2 := PeriodStart(" \t" + p + "\n"); freq2 != freq || !start2.Equal(start) || (err == nil) != (err2 == nil) {
			t.Fatalf("%q is %s %v (%v) but with spaces around %s %v (%v)", p, freq, start, err, freq2, start2, err2)
		}
		if err == nil {
			if (freq != "A" && freq != "M") || start.Location() != time.UTC || start.Day() != 1 || start.Hour() != 0 ||
				(freq == "A" && start.Month() != 1) {
				t.Fatalf("%q starts %s %v", p, freq, start)
			}
			if y := start.Year(); y >= 0 && y <= 9999 {
				out := FormatPeriod(start, freq)
				if f2, s2, err := PeriodStart(out); err != nil || f2 != freq || !s2.Equal(start) {
					t.Fatalf("%q is %s %v; written out as %q it reads as %s %v (%v)", p, freq, start, out, f2, s2, err)
				}
			}
		} else if err.Error() == "" {
			t.Fatal("an error that says nothing")
		}

		if c, err := ParseCursor(p); err == nil && !c.Period.IsZero() {
			if c.String() != p {
				t.Fatalf("cursor %q reads as %+v, written out as %q", p, c, c.String())
			}
		}

		want := "M"
		if annual {
			want = "A"
		}
		expr := strings.ToLower(strings.TrimSpace(p))
		if expr != "latest" && expr != "now" && !relativePeriod.MatchString(expr) {
			if got := ResolvePeriod(p, want, now); got != p {
				t.Fatalf("%q resolves to %q, not itself", p, got)
			}
			return
		}
		got := ResolvePeriod(p, want, now)
		if m := relativePeriod.FindStringSubmatch(expr); m != nil {
			if n, err := strconv.Atoi(m[1]); err != nil || n > maxBack {
				if got != p {
					t.Fatalf("%q counts back further than %d but resolves to %q", p, maxBack, got)
				}
				return
			}
		}
		f2, s2, err := PeriodStart(got)
		if err != nil || f2 != want || s2.After(now) {
			t.Fatalf("%q resolves to %q: %s %v (%v), want a period of freq %s no later than %v", p, got, f2, s2, err, want, now)
		}
	})
}
