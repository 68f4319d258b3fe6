package main

import "time"

// How the commands print what may be missing: a dash, never a blank cell.

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// when is a moment in its own zone, or a dash for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(zonedLayout)
}

// timeLayout is how the commands print a moment; zonedLayout names its zone.
const (
	timeLayout  = "2006-01-02 15:04:05"
	zonedLayout = timeLayout + " MST"
)
