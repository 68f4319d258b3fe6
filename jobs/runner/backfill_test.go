package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/jobs"
)

func TestYearChunks(t *testing.T) {
	tests := []struct {
		from, to string
		want     string // chunks joined by spaces, or the error's text
	}{
		{"2019", "2021", "2019-2019 2020-2020 2021-2021"},
		{"2024", "2024", "2024-2024"},
		{"202211", "202403", "202211-202212 202301-202312 202401-202403"},
		{"202405", "202407", "202405-202407"},
		{"2021", "2019", "is before"},
		{"2019", "202101", "both be years or both months"},
		{"20x0", "2021", "--from"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"-"+tt.to, func(t *testing.T) {
			cs, err := YearChunks(tt.from, tt.to)
			got := fmt.Sprint(cs)
			if err != nil {
				got = err.Error()
			} else {
				got = strings.Trim(got, "[]")
			}
			if !strings.Contains(got, tt.want) || (err == nil && got != tt.want) {
				t.Errorf("YearChunks(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestHasPeriods(t *testing.T) {
	tests := []struct {
		job  jobs.Job
		want bool
	}{
		{jobs.Job{Source: "nokind", Raw: map[string]any{"from": "2000"}}, true},
		{jobs.Job{Source: "nokind"}, false},
	}
	for _, tt := range tests {
		if got := HasPeriods(tt.job); got != tt.want {
			t.Errorf("HasPeriods(%+v) = %v, want %v", tt.job, got, tt.want)
		}
	}
}
