package main

import (
	"fmt"
	"strings"
	"testing"
)

// A config whose aliases expand past the limit is refused by validate and
// by run alike, at the alias's line and column, before it is decoded.
func TestAliasBombRefusedByValidateAndRun(t *testing.T) {
	var b strings.Builder
	b.WriteString("jobs:\n  - name: j\n    source: comtrade-csv\n    schedule: \"0 1 * * *\"\n    config:\n      paths:\n")
	b.WriteString("        - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 5; i++ { // 10^6 strings expanded: over the limit, yet small if decoded
		fmt.Fprintf(&b, "        - &a%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	cfg := writeConfig(t, t.TempDir(), b.String())
	// the keys, a0..a3 and a4's list count 12359 values and each alias of
	// a3 11111 more: the eighth, on line 11, passes 100000
	const want = "jobs.yaml:11:51: YAML: aliases expand the file to more than 100000 values"
	for _, args := range [][]string{{"validate", cfg}, {"--warehouse", t.TempDir(), "run", "--config", cfg}} {
		code, out, errs := cli(t, args...)
		if code == 0 || !strings.Contains(errs, want) {
			t.Errorf("tradewh %s: exit %d\nstdout: %s\nstderr: %s\nwant a failure saying %s", strings.Join(args, " "), code, out, errs, want)
		}
	}
}
