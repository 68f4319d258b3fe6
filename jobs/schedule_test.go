package jobs

import (
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	// A non-UTC machine zone must not leak into schedules.
	saved := time.Local
	time.Local = time.FixedZone("Machine", 5*3600)
	defer func() { time.Local = saved }()

	now := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC) // the day before Paris moves to summer time
	tests := []struct {
		spec, tz string
		want     string // next run after now, RFC3339 in UTC
		err      string
	}{
		{"0 3 * * *", "", "2026-03-29T03:00:00Z", ""},
		{"0 3 * * *", "UTC", "2026-03-29T03:00:00Z", ""},
		{"0 3 * * *", "Europe/Paris", "2026-03-29T01:00:00Z", ""}, // 03:00 CEST = 01:00 UTC
		{"0 3 * * *", "Asia/Tokyo", "2026-03-28T18:00:00Z", ""},
		{"CRON_TZ=Asia/Tokyo 0 3 * * *", "Europe/Paris", "2026-03-28T18:00:00Z", ""}, // prefix wins
		{"TZ=America/New_York 0 3 * * *", "", "2026-03-29T07:00:00Z", ""},
		{"30 15 12 * * *", "", "2026-03-28T12:15:30Z", ""}, // optional seconds field
		{"@daily", "", "2026-03-29T00:00:00Z", ""},
		{"@every 90m", "", "2026-03-28T13:30:00Z", ""},
		{"0 3 * * MON", "", "2026-03-30T03:00:00Z", ""},
		{"", "", "", "empty schedule"},
		{"0 3 * *", "", "", "expected 5 to 6 fields"},
		{"0 3 * * *", "Mars/Olympus", "", `unknown time zone "Mars/Olympus"`},
		{"0 3 * * *", "Local", "", `unknown time zone "Local"`},
		{"CRON_TZ=Asia/Tokyo", "", "", "must be followed by a schedule"},
		{"CRON_TZ=Nowhere 0 3 * * *", "", "", `unknown time zone "Nowhere"`},
		{"@fortnightly", "", "", "unrecognized descriptor"},
	}
	for _, tc := range tests {
		s, err := ParseSchedule(tc.spec, tc.tz)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSchedule(%q, %q) error = %v, want %q", tc.spec, tc.tz, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSchedule(%q, %q): %v", tc.spec, tc.tz, err)
			continue
		}
		if got := s.Next(now).UTC().Format(time.RFC3339); got != tc.want {
			t.Errorf("ParseSchedule(%q, %q).Next = %s, want %s", tc.spec, tc.tz, got, tc.want)
		}
	}
}

func TestNextRuns(t *testing.T) {
	cfg, err := Parse("jobs.yaml", []byte(validConfig))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	got := NextRuns(cfg, now)
	if len(got) != 2 {
		t.Fatalf("NextRuns: %v", got)
	}
	// annual: 03:00 Europe/Paris (file zone) = 01:00 UTC, already past today.
	if a := got["annual"]; !a.Equal(time.Date(2026, 7, 2, 1, 0, 0, 0, time.UTC)) || a.Location().String() != "Europe/Paris" {
		t.Errorf("annual next = %v", a)
	}
	// monthly: CRON_TZ=Asia/Tokyo 04:30 = 19:30 UTC, overriding the job's UTC.
	if m := got["monthly"]; !m.Equal(time.Date(2026, 7, 1, 19, 30, 0, 0, time.UTC)) || m.Location().String() != "Asia/Tokyo" {
		t.Errorf("monthly next = %v", m)
	}
}
