package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/tradewh/tradewh/etl"
)

// The real source kinds are not registered in this package's tests, so
// live.yaml must be valid except for its sources being unknown here; their
// specs are checked by the integration tests that register them.
func TestEmbeddedLive(t *testing.T) {
	data, err := Embedded("live")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("live.yaml", data)
	var probs etl.FileProblems
	if !errors.As(err, &probs) {
		t.Fatalf("want only unknown-source problems, got %v", err)
	}
	sources := map[string]bool{}
	for _, p := range probs {
		if !strings.HasSuffix(p.Path, ".source") || !strings.HasPrefix(p.Message, "unknown source") {
			t.Errorf("live.yaml: %v", p)
		}
		sources[strings.Split(p.Message, `"`)[1]] = true
	}
	for _, s := range []string{"comtrade", "census", "usgs-mcs"} {
		if !sources[s] {
			t.Errorf("live.yaml has no job of source %s", s)
		}
	}
	if len(probs) != 4 {
		t.Errorf("want 4 jobs, got %d unknown-source problems", len(probs))
	}
}

// Every job of live.yaml has a name, a source and a cron schedule in UTC
// that does not collide with another job's.
func TestEmbeddedLiveJobs(t *testing.T) {
	data, err := Embedded("live.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Timezone string `yaml:"timezone"`
		Jobs     []struct {
			Name, Source, Schedule string
			Config                 map[string]any
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Timezone != "UTC" {
		t.Errorf("timezone %q", doc.Timezone)
	}
	want := map[string]string{"comtrade-annual": "comtrade", "comtrade-monthly": "comtrade", "census-monthly": "census", "usgs-mcs": "usgs-mcs"}
	seen := map[string]bool{}
	for _, j := range doc.Jobs {
		if want[j.Name] != j.Source {
			t.Errorf("job %q has source %q", j.Name, j.Source)
		}
		if _, err := ParseSchedule(j.Schedule, "UTC"); err != nil {
			t.Errorf("job %s: %v", j.Name, err)
		}
		if seen[j.Schedule] {
			t.Errorf("job %s shares schedule %q", j.Name, j.Schedule)
		}
		seen[j.Schedule] = true
		if strings.HasPrefix(j.Source, "comtrade") {
			reps, _ := j.Config["reporters"].([]any)
			if len(reps) != 30 { // USA, EU 27, JPN, KOR
				t.Errorf("job %s has %d reporters", j.Name, len(reps))
			}
			if c, _ := j.Config["commodities"].([]any); len(c) != 5 {
				t.Errorf("job %s commodities %v", j.Name, c)
			}
		}
	}
	if len(doc.Jobs) != len(want) {
		t.Errorf("%d jobs", len(doc.Jobs))
	}
}

func TestEmbeddedMissing(t *testing.T) {
	_, err := Embedded("nope")
	if err == nil || !strings.Contains(err.Error(), "have: example, live") {
		t.Errorf("Embedded(nope) = %v", err)
	}
}

// Open takes a file, else a shipped config by name; a name that is
// neither says which configs ship. (The shipped configs' sources are
// unknown in this package's tests: being parsed shows they were found.)
func TestOpen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jobs.yaml")
	if err := os.WriteFile(file, []byte(validConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		found   bool
		wantErr string
	}{
		{file, true, ""},
		{"example", true, `built-in:example:`},
		{"live.yaml", true, `built-in:live.yaml:`},
		{"nope", false, "no such job config: nope"},
		{"", false, "shipped with the program: example, live"},
		{filepath.Join(t.TempDir(), "missing.yaml"), true, "no such file"},
	}
	for _, tc := range tests {
		cfg, err := Open(tc.path)
		if tc.wantErr == "" {
			if err != nil || len(cfg.Jobs) != 2 {
				t.Errorf("Open(%q) = %v", tc.path, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("Open(%q) = %v, want an error with %q", tc.path, err, tc.wantErr)
		}
		if errors.Is(err, ErrNoConfig) == tc.found {
			t.Errorf("Open(%q): ErrNoConfig is %v, want %v", tc.path, !tc.found, tc.found)
		}
	}
}
