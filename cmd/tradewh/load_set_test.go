package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// --set types a value as a job config's YAML would: true/false for a
// bool, digits for a number; what is neither fails naming the setting.
func TestLoadSetTypedValues(t *testing.T) {
	mcs := etltest.RepoFile(t, "sources/usgsmcs/testdata/mcs2025-raree_salient.csv")
	baci := etltest.RepoFile(t, "sources/baci/testdata/BACI_HS17_Y2022_V202401.csv")
	unreadable := filepath.Join(t.TempDir(), "mcs2025-galli_salient.csv")
	if err := os.WriteFile(unreadable, []byte("not,a,salient\x00table\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inbox := t.TempDir() // empty
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout when code is 0, else in stderr
	}{
		{[]string{"--source", "usgs-mcs", "--set", "strict=true", mcs}, 0, "rejected"},
		{[]string{"--source", "usgs-mcs", "--set", "strict=false", mcs, unreadable}, 0, "rejected"},
		{[]string{"--source", "usgs-mcs", "--set", "strict=true", mcs, unreadable}, 1, unreadable},
		{[]string{"--source", "usgs-mcs", "--set", "strict=yes", mcs}, 2, "--set strict: must be true or false, got yes"},
		{[]string{"--source", "usgs-mcs", "--set", "strict=", mcs}, 2, "--set strict: must be true or false"},
		{[]string{"--source", "usgs-mcs", "--set", "inbox=true", inbox}, 0, "0 rows in"},
		{[]string{"--source", "usgs-mcs", "--set", "inbox=false", inbox}, 1, inbox},
		{[]string{"--source", "baci", "--set", "batch_rows=5000", baci}, 0, "5 loaded"},
		{[]string{"--source", "baci", "--set", "batch_rows=2", "--set", "hs_codes=*", baci}, 0, "7 loaded"},
		{[]string{"--source", "baci", "--set", "batch_rows=5k", baci}, 2, "--set batch_rows: must be an integer, got 5k"},
		{[]string{"--source", "baci", "--set", "batch_rows=2.5", baci}, 2, "--set batch_rows: must be an integer, got 2.5"},
	} {
		code, out, errs := cli(t, append([]string{"--warehouse", t.TempDir(), "load", "--no-export"}, tc.args...)...)
		got := out
		if tc.code != 0 {
			got = errs
		}
		if code != tc.code || !strings.Contains(got, tc.out) {
			t.Errorf("load %s: exit %d\nstdout: %s\nstderr: %s\nwant exit %d and %q", strings.Join(tc.args, " "), code, out, errs, tc.code, tc.out)
		}
	}
}

// load --help names the command that lists each kind's settings, and it
// does list them.
func TestLoadHelpNamesWhereSettingsAre(t *testing.T) {
	_, out, _ := cli(t, "load", "--help")
	m := regexp.MustCompile(`\(tradewh ([a-z]+(?: --help)?) lists each kind's settings`).FindStringSubmatch(strings.Join(strings.Fields(out), " "))
	if m == nil {
		t.Fatalf("load --help does not say where the settings are:\n%s", out)
	}
	_, doc, _ := cli(t, strings.Fields(m[1])...)
	for _, k := range fileKinds() {
		for _, f := range k.Spec {
			if f.Name != k.FileArgs && !regexp.MustCompile(`(?m)^\s+`+f.Name+`\s`).MatchString(doc) {
				t.Errorf("tradewh %s does not list %s's setting %s", m[1], k.Name, f.Name)
			}
		}
	}
}

// Each setting type reads from --set as from a job config.
func TestSourceSettingsTypes(t *testing.T) {
	k := etl.Kind{Name: "k", FileArgs: "paths", Spec: etl.Spec{
		{Name: "paths", Type: etl.TypeStrings},
		{Name: "s", Type: etl.TypeString},
		{Name: "n", Type: etl.TypeInt},
		{Name: "f", Type: etl.TypeFloat},
		{Name: "b", Type: etl.TypeBool},
		{Name: "d", Type: etl.TypeDuration},
		{Name: "l", Type: etl.TypeStrings},
	}}
	for _, tc := range []struct {
		set  string
		want any    // the value the spec makes of it
		msg  string // or its problem
	}{
		{"s=2021", "2021", ""},
		{"s=true", "true", ""},
		{"n=5000", 5000, ""},
		{"n=-3", -3, ""},
		{"n=5,000", nil, "n: must be an integer, got 5,000"},
		{"f=2.5", 2.5, ""},
		{"f=3", 3.0, ""},
		{"f=fast", nil, "f: must be a number, got fast"},
		{"b=true", true, ""},
		{"b=false", false, ""},
		{"b=1", nil, "b: must be true or false, got 1"},
		{"d=90s", 90 * time.Second, ""},
		{"d=90", nil, "d: must be a duration"},
		{"l=a, b", []string{"a", "b"}, ""},
	} {
		raw, err := sourceSettings(k, []string{tc.set})
		if err != nil {
			t.Fatalf("--set %s: %v", tc.set, err)
		}
		raw["paths"] = []any{"x"}
		cfg, probs := k.Spec.Validate(raw)
		key, _, _ := strings.Cut(tc.set, "=")
		switch {
		case tc.msg != "":
			if len(probs) != 1 || !strings.Contains(probs[0].Error(), tc.msg) {
				t.Errorf("--set %s: problems %v, want %q", tc.set, probs, tc.msg)
			}
		case len(probs) > 0:
			t.Errorf("--set %s: %v", tc.set, probs)
		default:
			if v, err := cfg.Value(key); err != nil || !reflect.DeepEqual(v, tc.want) {
				t.Errorf("--set %s: %#v (%v), want %#v", tc.set, v, err, tc.want)
			}
		}
	}
}

// Every `tradewh load … --set KEY=VALUE …` the README prints with a true/false
// or number setting runs as printed, its FILE... or ... naming real files.
func TestREADMELoadTypedSetCommandsRun(t *testing.T) {
	b, err := os.ReadFile(etltest.RepoFile(t, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]string{
		"usgs-mcs": {etltest.RepoFile(t, "sources/usgsmcs/testdata/mcs2025-raree_salient.csv")},
		"baci":     {etltest.RepoFile(t, "sources/baci/testdata/BACI_HS17_Y2022_V202401.csv")},
	}
	ran := 0
	for _, m := range regexp.MustCompile("(?m)`(tradewh load [^`]*--set [^`]*)`|^(tradewh load .*--set .*)$").FindAllStringSubmatch(string(b), -1) {
		line := m[1] + m[2]
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		words := shellWords(t, line)[1:]
		var kind etl.Kind
		typed := false
		for i, w := range words {
			if w == "--source" && i+1 < len(words) {
				kind, _ = etl.LookupKind(words[i+1])
			}
		}
		var args []string
		for i, w := range words {
			switch {
			case w == "..." || w == "FILE..." || w == "FILE":
				if files[kind.Name] == nil {
					t.Fatalf("README command %q: no test file for %s", line, kind.Name)
				}
				args = append(args, files[kind.Name]...)
				continue
			case i > 0 && words[i-1] == "--set":
				key, _, _ := strings.Cut(w, "=")
				for _, f := range kind.Spec {
					if f.Name == key && (f.Type == etl.TypeBool || f.Type == etl.TypeInt || f.Type == etl.TypeFloat) {
						typed = true
					}
				}
			}
			args = append(args, w)
		}
		if !typed {
			continue
		}
		ran++
		if code, out, errs := cli(t, append([]string{"--warehouse", t.TempDir()}, args...)...); code != 0 || !strings.Contains(out, "loaded") {
			t.Errorf("README: %s\nexit %d\nstdout: %s\nstderr: %s", line, code, out, errs)
		}
	}
	if ran == 0 {
		t.Error("the README prints no load command with a typed --set: the test found nothing to run")
	}
}
