package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/jobs/runstatus"
)

func TestProgramName(t *testing.T) {
	goRun := filepath.Join(os.TempDir(), "go-build123456", "b001", "exe", "tradewh")
	for _, tc := range []struct{ arg0, want string }{
		{goRun, "go run -tags duckdb_arrow ./cmd/tradewh"},
		{"tradewh", "tradewh"},
		{"./tradewh", "./tradewh"},
		{"/opt/trade wh/tradewh", `"/opt/trade wh/tradewh"`},
		{"", "tradewh"},
	} {
		if got := programName(tc.arg0); got != tc.want {
			t.Errorf("programName(%q) = %q, want %q", tc.arg0, got, tc.want)
		}
	}
}

// shellWords splits a command line as a POSIX shell does for the quoting
// commandLine uses: '…', "…" without $ ` \ or !, and bare words.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	in, inWord := byte(0), false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case in != 0 && c == in:
			in = 0
		case in != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			in, inWord = c, true
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if in != 0 {
		t.Fatalf("unbalanced quotes in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// Every command the run summary prints runs as printed: the rejected-rows
// hint and the Try line name the warehouse and are quoted for a shell.
func TestRunHintsRunAsPrinted(t *testing.T) {
	wh := filepath.Join(t.TempDir(), "a warehouse")
	csv := filepath.Join(t.TempDir(), "records.csv")
	if err := os.WriteFile(csv, []byte("freqCode,period,reporterCode,partnerCode,flowCode,cmdCode,primaryValue\nA,2022,842,156,M,2846,1000\nA,2022,842,156,M,2846,-5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, "--warehouse", wh, "run")
	// The run kept the status file that status reads during a load.
	if st, err := runstatus.Read(wh); err != nil || st.Running != nil || len(st.Recent) != 3 ||
		st.Recent[0].Job != "demo-usgs" || st.Recent[0].Outcome != "ok" || st.Recent[0].RowsIn == 0 || st.Recent[1].Job != "demo-comtrade" {
		t.Errorf("status file after the demo: %+v, %v", st, err)
	}
	hints := hintLines(out)
	loadOut := mustCLI(t, "--warehouse", wh, "load", "--source", "comtrade-csv", "--no-export", csv)
	hints = append(hints, hintLines(loadOut)...)
	if !strings.Contains(strings.Join(hints, "\n"), "FROM rejected_rows") || !strings.Contains(strings.Join(hints, "\n"), "FROM import_shares") {
		t.Fatalf("want a Try line and a rejected-rows hint:\n%s%s", out, loadOut)
	}
	for _, h := range hints {
		words := shellWords(t, h)
		prog := programName(os.Args[0])
		if got := strings.Join(words[:len(shellWords(t, prog))], " "); got != strings.Join(shellWords(t, prog), " ") {
			t.Fatalf("hint %q does not start with the program %q", h, prog)
		}
		args := words[len(shellWords(t, prog)):]
		if len(args) < 2 || args[0] != "--warehouse" || args[1] != wh {
			t.Errorf("hint %q does not name the warehouse %q", h, wh)
		}
		if code, _, errs := cli(t, args...); code != 0 {
			t.Errorf("hint %q: exit %d\n%s", h, code, errs)
		}
	}
}

// hintLines returns the indented command lines after "Try:" and
// "Rejected rows …:" in a run summary.
func hintLines(out string) []string {
	var hints []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if (l == "Try:" || strings.HasPrefix(l, "Rejected rows are in")) && i+1 < len(lines) {
			hints = append(hints, strings.TrimSpace(lines[i+1]))
		}
	}
	return hints
}

// The example config shipped with the program validates and its offline
// jobs run on the demo's inputs, from any folder.
func TestExampleConfigRunsOffline(t *testing.T) {
	const cfg = "example"
	t.Chdir(t.TempDir())
	mustCLI(t, "validate", cfg)
	mustCLI(t, "run")
	out := mustCLI(t, "run", "--config", cfg, "demo-comtrade", "demo-usgs")
	if !strings.Contains(out, "unchanged") {
		t.Errorf("run summary: %s", out)
	}
}
