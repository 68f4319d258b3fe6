package report

import (
	"strings"
	"testing"
)

// Axis labels are distinct whatever the range, with one number of decimals
// per axis: a chart of values under 1 reads 0.2, 0.4, not 0, 0, 1.
func TestTickLabels(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 0, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 2.5, "0.0 0.5 1.0 1.5 2.0 2.5"},
		{0, 0.06, "0.00 0.02 0.04 0.06"},
		{0, 125, "0 25 50 75 100 125"},
		{0, 5000, "0 1,000 2,000 3,000 4,000 5,000"},
		{-1.2, 3, "−2 −1 0 1 2 3"},
		{-0.3, 0.3, "−0.4 −0.2 0.0 0.2 0.4"},
	} {
		got := strings.Join(tickLabels(niceTicks(tc.lo, tc.hi, 5)), " ")
		if got != tc.want {
			t.Errorf("ticks of [%v, %v]: %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}
