package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
)

// Every SQL example of the README answers on the demo warehouse with rows,
// and every tradewh command of its shell examples runs there as printed
// (a report --as-of before the warehouse is refused, as the README says).
func TestREADMEExamplesAnswerOnTheDemo(t *testing.T) {
	b, err := os.ReadFile(etltest.RepoFile(t, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	wh := t.TempDir()
	mustCLI(t, "--warehouse", wh, "run")
	t.Chdir(t.TempDir()) // where the examples' relative --output files land

	noImports := regexp.MustCompile(`No [A-Za-z ]+ imports of commodity group`)
	var sqls, cmds []string
	for _, m := range regexp.MustCompile("(?s)```(\\w*)\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		switch m[1] {
		case "sql":
			sqls = append(sqls, m[2])
		case "sh":
			for _, l := range strings.Split(m[2], "\n") {
				if strings.HasPrefix(l, "tradewh ") {
					cmds = append(cmds, l)
				}
			}
		}
	}
	if len(sqls) < 8 || len(cmds) < 4 {
		t.Fatalf("found %d SQL examples and %d commands in the README", len(sqls), len(cmds))
	}
	for _, q := range sqls {
		code, out, errs := cli(t, "--warehouse", wh, "query", "--format", "csv", q)
		if rows := strings.Count(strings.TrimSpace(out), "\n"); code != 0 || rows == 0 {
			t.Errorf("README query answers %d rows, exit %d on the demo:\n%s\n%s", rows, code, q, errs)
		}
	}
	for _, line := range cmds {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		args := append([]string{"--warehouse", wh}, shellWords(t, line)[1:]...)
		code, out, errs := cli(t, args...)
		if strings.Contains(line, "--as-of") && code == exitUsage && strings.Contains(errs, "the warehouse knew nothing then") {
			continue
		}
		if code != 0 {
			t.Errorf("README: %s: exit %d\n%s", line, code, errs)
			continue
		}
		if strings.HasPrefix(args[2], "report") {
			page := strings.TrimSpace(out[strings.LastIndex(out, "\n  ")+1:])
			if p, err := os.ReadFile(filepath.Clean(page)); err != nil || noImports.Match(p) {
				t.Errorf("README: %s: the page %s has no figures (%v)", line, page, err)
			}
		}
	}
}
