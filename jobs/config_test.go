package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// testKind is a small source kind so spec validation can be exercised
// without the real sources.
func init() {
	etl.Register(etl.Kind{
		Name:  "testkind",
		Table: etl.Table("trade_flows"),
		Spec: etl.Spec{
			{Name: "freq", Type: etl.TypeString, Required: true, Enum: []string{"A", "M"}},
			{Name: "from", Type: etl.TypeInt, Required: true},
			{Name: "reporters", Type: etl.TypeStrings, Default: []string{"USA"}},
			{Name: "rate_per_second", Type: etl.TypeFloat, Default: 1.0},
		},
	})
}

const validConfig = `timezone: Europe/Paris
concern_iso3: CHN
defaults: { retries: 4, retry_backoff: 30s, catch_up: false, revision_window: 12 }
http: { listen: ":9999" }
alerts:
  command: [notify, --urgent]
  rules:
    - { name: high, commodity: rare_earths, reporter: USA, metric: concern_share, above: 0.8 }
    - { name: jump, metric: share_change_pp, abs_above: 10 }
jobs:
  - name: annual
    source: testkind
    schedule: "0 3 * * *"
    config: { freq: A, from: 2019, reporters: [USA, CHN] }
  - name: monthly
    source: testkind
    schedule: "CRON_TZ=Asia/Tokyo 30 4 * * *"
    timezone: UTC
    retries: 0
    retry_backoff: 2m
    catch_up: true
    config:
      freq: M
      from: 201901
`

func TestParseValid(t *testing.T) {
	cfg, err := Parse("jobs.yaml", []byte(validConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timezone != "Europe/Paris" || cfg.Concern != "CHN" || cfg.HTTP.Listen != ":9999" {
		t.Errorf("top level: %+v", cfg)
	}
	if cfg.Defaults != (JobDefaults{Retries: 4, RetryBackoff: 30 * time.Second, CatchUp: false, RevisionWindow: 12}) {
		t.Errorf("defaults: %+v", cfg.Defaults)
	}
	if got := strings.Join(cfg.Alerts.Command, " "); got != "notify --urgent" || len(cfg.Alerts.Rules) != 2 {
		t.Errorf("alerts: %+v", cfg.Alerts)
	}
	r := cfg.Alerts.Rules[0]
	if r.Name != "high" || r.Commodity != "rare_earths" || r.Reporter != "USA" || r.Above == nil || *r.Above != 0.8 || r.Line != 8 {
		t.Errorf("rule 0: %+v", r)
	}
	if r := cfg.Alerts.Rules[1]; r.AbsAbove == nil || *r.AbsAbove != 10 || r.Above != nil {
		t.Errorf("rule 1: %+v", r)
	}

	a, ok := cfg.Job("annual")
	if !ok {
		t.Fatal("job annual missing")
	}
	// Inherits the file's zone and the defaults section.
	if a.Timezone != "Europe/Paris" || a.Retries != 4 || a.RetryBackoff != 30*time.Second || a.CatchUp || a.RevisionWindow != 12 || a.Line != 11 {
		t.Errorf("annual: %+v", a)
	}
	ar := a.Config.Reads()
	if ar.String("freq") != "A" || ar.Int("from") != 2019 || strings.Join(ar.Strings("reporters"), ",") != "USA,CHN" {
		t.Errorf("annual config: %#v", a.Config)
	}
	if ar.Float("rate_per_second") != 1.0 {
		t.Errorf("spec default not filled: %#v", a.Config)
	}
	if err := ar.Err(); err != nil {
		t.Error(err)
	}
	if a.Raw["freq"] != "A" {
		t.Errorf("raw config: %#v", a.Raw)
	}
	m, _ := cfg.Job("monthly")
	if m.Timezone != "UTC" || m.Retries != 0 || m.RetryBackoff != 2*time.Minute || !m.CatchUp || m.RevisionWindow != 12 || m.Line != 15 {
		t.Errorf("monthly: %+v", m)
	}
	if reps, err := m.Config.Strings("reporters"); err != nil || strings.Join(reps, ",") != "USA" {
		t.Errorf("monthly reporters default: %#v (%v)", m.Config, err)
	}
	if _, ok := cfg.Job("nope"); ok {
		t.Error("Job found an unknown name")
	}
}

func TestParseBuiltinDefaults(t *testing.T) {
	cfg, err := Parse("min.yaml", []byte("jobs:\n  - { name: x, source: testkind, schedule: '@daily', config: { freq: A, from: 2000 } }\n"))
	if err != nil {
		t.Fatal(err)
	}
	j := cfg.Jobs[0]
	if cfg.Timezone != "UTC" || j.Timezone != "UTC" || cfg.Concern != "CHN" || cfg.HTTP.Listen != "127.0.0.1:9464" {
		t.Errorf("defaults: %+v", cfg)
	}
	if j.Retries != 2 || j.RetryBackoff != time.Minute || !j.CatchUp || j.RevisionWindow != 24 {
		t.Errorf("job defaults: %+v", j)
	}
}

// want is an expected problem: line, column (0: not checked), path and a
// piece of the message.
type want struct {
	line, col int
	path, msg string
}

// manyProblems holds 15 deliberate mistakes.
const manyProblems = `timezone: Mars/Olympus
colour: blue
defaults:
  retries: -1
  retry_backoff: soon
alerts:
  rules:
    - { name: r1, metric: nonsense, above: 1 }
jobs:
  - name: a
    source: testkind
    schedule: "0 25 * * *"
    config:
      freq: Q
      bogus: 1
  - name: a
    source: nokind
    schedule: "0 3 * * *"
    timezone: Nowhere/City
  - source: testkind
    schedule: "@daily"
    retries: -2
    config: { freq: A }
`

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []want
	}{
		{"many", manyProblems, []want{
			{1, 11, "timezone", `unknown time zone "Mars/Olympus"`},
			{2, 1, "colour", `unknown key "colour"`},
			{4, 12, "defaults.retries", "must not be negative"},
			{5, 18, "defaults.retry_backoff", `must be a duration such as 30s, 5m or 1h, got "soon"`},
			{8, 27, "alerts.rules[0].metric", `unknown metric "nonsense" (known: concern_share, concern_share_12m, hhi, share_change_pp, top_share)`},
			{12, 15, "jobs[0].schedule", `bad cron expression "0 25 * * *": end of range (25) above maximum (23): 25`},
			{13, 5, "jobs[0].config.from", "is required"},
			{14, 13, "jobs[0].config.freq", `must be one of A, M, got "Q"`},
			{15, 7, "jobs[0].config.bogus", "unknown field"},
			{16, 11, "jobs[1].name", `duplicate job name "a" (first used on line 10)`},
			{17, 13, "jobs[1].source", `unknown source "nokind" (registered: testkind)`},
			{19, 15, "jobs[1].timezone", `unknown time zone "Nowhere/City"`},
			{20, 5, "jobs[2].name", "a job needs a name"},
			{22, 14, "jobs[2].retries", "must not be negative, got -2"},
			{23, 5, "jobs[2].config.from", "is required"},
		}},
		{"empty file", "# nothing\n", []want{{1, 1, "", "the config is empty"}}},
		{"not a mapping", "- a\n- b\n", []want{{1, 0, "", "the config must be a mapping"}}},
		{"jobs not a list", "jobs: {name: a}\n", []want{{1, 7, "jobs", "must be a list of jobs"}}},
		{"job missing schedule and source", "jobs:\n  - name: a\n", []want{
			{2, 5, "jobs[0].schedule", "a job needs a schedule"},
			{2, 5, "jobs[0].source", "a job needs a source (registered: testkind)"},
		}},
		{"job not a mapping", "jobs:\n  - a\n  -\n", []want{
			{2, 5, "jobs[0]", "must be a mapping"},
			{3, 0, "jobs[1]", "empty job"},
		}},
		{"config not a mapping", "jobs:\n  - name: a\n    source: testkind\n    schedule: '@hourly'\n    config: [1]\n", []want{
			{5, 13, "jobs[0].config", "must be a mapping"},
		}},
		{"wrong types", "timezone: 5\ndefaults:\n  retries: many\n  catch_up: yes please\n  retry_backoff: 90\n", []want{
			{1, 11, "timezone", "must be a string, got number 5"},
			{3, 12, "defaults.retries", `must be an integer, got text "many"`},
			{4, 13, "defaults.catch_up", "must be true or false"},
			{5, 18, "defaults.retry_backoff", "must be a duration"},
		}},
		{"bad CRON_TZ and Local zone", "timezone: Local\njobs:\n  - name: a\n    source: testkind\n    schedule: CRON_TZ=Mars/Base 0 3 * * *\n    config: {freq: A, from: 1}\n", []want{
			{1, 11, "timezone", `name a time zone such as UTC or Europe/Paris, got "Local"`},
			{5, 15, "jobs[0].schedule", `unknown time zone "Mars/Base" in CRON_TZ=Mars/Base`},
		}},
		{"cron too few fields", "jobs:\n  - {name: a, source: testkind, schedule: '0 3 *', config: {freq: A, from: 1}}\n", []want{
			{2, 0, "jobs[0].schedule", "expected 5 to 6 fields, found 3"},
		}},
		{"bad job name", "jobs:\n  - {name: 'a b', source: testkind, schedule: '@daily', config: {freq: A, from: 1}}\n", []want{
			{2, 0, "jobs[0].name", "must start with a letter or digit"},
		}},
		{"alerts", `concern_iso3: XXX
http: { listen: localhost }
alerts:
  webhook: ftp://example.org/x
  command: [notify]
  rules:
    - { name: r, metric: hhi }
    - { name: r, metric: concern_share, commodity: unobtainium, reporter: ZZZ, below: x }
    - { metric: hhi, abs_above: -1 }
`, []want{
			{1, 15, "concern_iso3", `unknown ISO 3166 alpha-3 country code "XXX"`},
			{2, 17, "http.listen", "must be host:port"},
			{4, 12, "alerts.webhook", "must be an http or https URL"},
			{5, 3, "alerts.command", "either webhook or command, not both"},
			{7, 7, "alerts.rules[0]", "needs a threshold"},
			{8, 0, "alerts.rules[1].name", `duplicate alert rule name "r"`},
			{8, 0, "alerts.rules[1].commodity", `unknown commodity group "unobtainium"`},
			{8, 0, "alerts.rules[1].reporter", `unknown ISO 3166 alpha-3 country code "ZZZ"`},
			{8, 0, "alerts.rules[1].below", "must be a number"},
			{9, 7, "alerts.rules[2].name", "needs a name"},
			{9, 0, "alerts.rules[2].abs_above", "must not be negative"},
		}},
		{"duplicate key", "timezone: UTC\ntimezone: UTC\n", []want{{2, 1, "", `YAML: mapping key "timezone" already defined at [1:1]`}}},
		{"syntax", "jobs: [a, b\ntimezone: UTC\n", []want{{2, 1, "", "YAML: "}}},
		{"two documents", "timezone: UTC\n---\ntimezone: UTC\n", []want{{2, 0, "", "one YAML document"}}},
		// decoded, each list of aliases would be printed as one reporter; the
		// eighth alias of a3 on line 13 passes the limit
		{"nested aliases", aliasBomb(4), []want{{13, 51, "", "YAML: aliases expand the file to more than 100000 values"}}},
		{"a long list", "jobs:\n  - {name: a, source: testkind, schedule: '@daily', config: {freq: A, from: 1, reporters: [" +
			strings.Repeat("USA, ", 10_000) + "CHN]}}\n", []want{{2, 91, "", "YAML: a list of 10001 items: at most 10000"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("bad.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error, got %+v", cfg)
			}
			var probs etl.FileProblems
			if !errors.As(err, &probs) {
				t.Fatalf("error is %T, not etl.FileProblems: %v", err, err)
			}
			if len(probs) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(probs), len(tc.want), err)
			}
			for i, w := range tc.want {
				p := probs[i]
				if p.File != "bad.yaml" || p.Line != w.line || (w.col != 0 && p.Col != w.col) || p.Path != w.path || !strings.Contains(p.Message, w.msg) {
					t.Errorf("problem %d = %s:%d:%d %s %q\nwant line %d col %d path %s msg containing %q", i, p.File, p.Line, p.Col, p.Path, p.Message, w.line, w.col, w.path, w.msg)
				}
			}
			// Error lists every problem, one per line, with file:line:col.
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) || !strings.HasPrefix(lines[0], fmt.Sprintf("bad.yaml:%d:", tc.want[0].line)) {
				t.Errorf("Error():\n%s", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jobs.yaml")
	if err := os.WriteFile(path, []byte(validConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil || len(cfg.Jobs) != 2 {
		t.Fatalf("Load: %v %+v", err, cfg)
	}
	if err := os.WriteFile(path, []byte("jobs: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":1:7: jobs: ") {
		t.Errorf("Load of a bad file: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
}

// aliasBomb is a valid config but for a reporters list of levels lists of
// ten aliases, each repeating the one before: 10^(levels+1) values once
// expanded, from a file of a few hundred bytes.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("jobs:\n  - name: a\n    source: testkind\n    schedule: '@daily'\n    config:\n      freq: A\n      from: 1\n      reporters:\n")
	b.WriteString("        - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "        - &a%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	return b.String()
}
