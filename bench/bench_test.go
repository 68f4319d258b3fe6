package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/bench/gen"
)

// TestMain lets the test binary serve as its own child process, as a
// program calling Run must.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ChildFlag {
		if err := RunChild(context.Background(), os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A small end-to-end run: generation, A in child processes, B, re-run,
// marts and export, and the closing metric lines.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	o := Options{Rows: 20_000, Rounds: 2, Dir: dir, Seed: 3, Log: &out}
	if err := Run(context.Background(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, name := range []string{"ingest_ratio_vs_duckdb_read_csv", "ingest_rows_per_s", "peak_rss_mib",
		"rerun_ratio", "marts_s", "export_s"} {
		m := regexp.MustCompile(`(?m)^` + name + `: ([0-9.]+)$`).FindStringSubmatch(out.String())
		if m == nil {
			t.Errorf("no line %q", name+": N")
			continue
		}
		if v, _ := strconv.ParseFloat(m[1], 64); v <= 0 {
			t.Errorf("%s is %s, want a positive figure", name, m[1])
		}
	}
	if n := len(regexp.MustCompile(`(?m)^round \d A .*20000 loaded`).FindAllString(out.String(), -1)); n != 2 {
		t.Errorf("%d A rounds loaded all 20000 rows, want 2", n)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 { // the data file and its country codes
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("scratch folder keeps %v, want only the generated files", names)
	}
}

func TestOptions(t *testing.T) {
	o := Options{HS: "some"}
	if err := o.defaults(); err == nil {
		t.Error("--hs some accepted")
	}
	o = Options{}
	if err := o.defaults(); err != nil || o.Rows != 1_000_000 || o.Rounds != 3 || o.HS != "all" || len(o.Child) != 2 {
		t.Errorf("defaults %+v, %v", o, err)
	}
	if m := median([]float64{3, 1, 2, 10}); m != 2.5 {
		t.Errorf("median %v, want 2.5", m)
	}
}

// --file runs the benchmark on a file made elsewhere: here a generated
// file with its rows shuffled, so the loader cannot prove keys unique
// from their order and asks the warehouse. Its rows are counted, not
// taken from --rows.
func TestRunOnGivenFile(t *testing.T) {
	var data bytes.Buffer
	if err := gen.Generate(&data, 5000, 7, 2021); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(data.String(), "\n"), "\n")
	rows := lines[1:]
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	dir := t.TempDir()
	file := filepath.Join(dir, gen.FileName(2021))
	if err := os.WriteFile(file, []byte(lines[0]+"\n"+strings.Join(rows, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var codes bytes.Buffer
	if err := gen.WriteCountryCodes(&codes); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, gen.CountryCodesFileName), codes.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := Options{File: file, Rows: 1, Rounds: 1, Dir: t.TempDir(), Log: &out}
	if err := Run(context.Background(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"5000 rows (--hs all)", "5000 loaded", "ingest_ratio_vs_duckdb_read_csv: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}

// A child's peak RSS is its own. wait4 would report at least the parent's
// peak (the child starts in the parent's address space), as it did for
// every A round after the first once B's read_csv had grown this process.
func TestChildPeakRSSIsItsOwn(t *testing.T) {
	if selfPeakRSS() == 0 {
		t.Skip("no /proc/self/status: peak RSS comes from wait4 alone here")
	}
	ctx := context.Background()
	dir := t.TempDir()
	o := Options{Rows: 20_000, Rounds: 1, Dir: dir, Seed: 3}
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	file, _, err := generate(dir, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	const ballastSize = 768 << 20
	ballast := make([]byte, ballastSize)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	res, rss, err := child(ctx, o, "--warehouse", filepath.Join(dir, "wh"), "--file", file, "--hs", "all")
	runtime.KeepAlive(ballast)
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 20_000 || rss <= 0 || rss >= ballastSize/2 {
		t.Errorf("child loaded %d rows with a peak RSS of %d MiB; want 20000 and its own peak, well under this process's %d MiB",
			res.Loaded, rss>>20, ballastSize>>20)
	}
}
