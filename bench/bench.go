// Package bench measures ingest: the BACI load as `tradewh load --source
// baci` does it (A) against DuckDB reading the same CSV natively with
// read_csv (B), on one generated file, plus the idempotent re-run, the
// mart rebuild and the Parquet export. It ends with machine-readable
// lines (name: value) for tracking over time.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // database/sql driver "duckdb"

	"github.com/tradewh/tradewh/bench/gen"
)

// Options configure Run.
type Options struct {
	Rows   int    // rows in the generated file (default 1,000,000)
	File   string // an existing BACI file to use instead of generating one
	Rounds int    // A/B rounds, alternated (default 3)
	Dir    string // scratch folder; "" uses a temporary one, removed afterwards
	Seed   int64
	Year   int    // year of the generated file (default 2022)
	HS     string // all: load every row (fair against read_csv); critical: the default commodity filter
	// Order of the generated rows: "baci" (BACI's own: by exporter,
	// importer, product; default) or "random" (rows drawn independently
	// in no order, so some keys repeat and are rejected).
	Order string
	// Verbose passes the children's warehouse logs (staging and merge
	// times) through to Log.
	Verbose bool
	Log     io.Writer // default os.Stderr
	// Child is the command that starts a child step: program and leading
	// arguments, to which the child's flags are appended. Default: this
	// executable with ChildFlag, for a main that calls RunChild on it.
	Child []string
}

func (o *Options) defaults() error {
	if o.Rows <= 0 {
		o.Rows = 1_000_000
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Year == 0 {
		o.Year = 2022
	}
	switch o.Order {
	case "":
		o.Order = "baci"
	case "baci", "random":
	default:
		return fmt.Errorf("--order must be baci or random, got %q", o.Order)
	}
	switch o.HS {
	case "":
		o.HS = "all"
	case "all", "critical":
	default:
		return fmt.Errorf("--hs must be all or critical, got %q", o.HS)
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if len(o.Child) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding this program to start child steps: %w", err)
		}
		o.Child = []string{exe, ChildFlag}
	}
	return nil
}

// Run generates the file and runs the benchmark, writing a report to out.
func Run(ctx context.Context, o Options, out io.Writer) error {
	if err := o.defaults(); err != nil {
		return err
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "tradewh-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var file string
	repeats := -1 // rows a load must reject, when known
	if o.File != "" {
		file = o.File
		n, err := dataRows(file)
		if err != nil {
			return err
		}
		o.Rows = n
		fmt.Fprintf(out, "using %s: %d rows (--hs %s)\n", file, n, o.HS)
	} else {
		var err error
		if file, repeats, err = generate(dir, o, out); err != nil {
			return err
		}
	}

	var as, bs []float64
	var peak int64
	var last childResult
	lastWH := ""
	for r := 1; r <= o.Rounds; r++ {
		wh := filepath.Join(dir, fmt.Sprintf("wh-%d", r))
		os.RemoveAll(wh)
		res, rss, err := child(ctx, o, "--warehouse", wh, "--file", file, "--hs", o.HS)
		if err != nil {
			return fmt.Errorf("round %d, A: %w", r, err)
		}
		if res.Loaded+res.Rejected != res.RowsIn || res.Unchanged != 0 {
			return fmt.Errorf("round %d, A: fresh load did not load every row: %+v", r, res)
		}
		if repeats >= 0 && o.HS == "all" && res.Rejected != int64(repeats) {
			return fmt.Errorf("round %d, A: %d rows rejected, but the file repeats %d keys", r, res.Rejected, repeats)
		}
		peak = max(peak, rss)
		as = append(as, res.TotalS)
		fmt.Fprintf(out, "round %d A tradewh load:    %7.2fs (load %.2fs; %d rows in, %d loaded, %d rejected; peak RSS %d MiB)\n",
			r, res.TotalS, res.LoadS, res.RowsIn, res.Loaded, res.Rejected, rss>>20)
		if lastWH != "" {
			os.RemoveAll(lastWH)
		}
		lastWH, last = wh, res

		b, rows, err := readCSV(ctx, filepath.Join(dir, fmt.Sprintf("csv-%d.duckdb", r)), file)
		if err != nil {
			return fmt.Errorf("round %d, B: %w", r, err)
		}
		if rows != int64(o.Rows) {
			return fmt.Errorf("round %d, B: read_csv made %d rows, want %d", r, rows, o.Rows)
		}
		bs = append(bs, b)
		fmt.Fprintf(out, "round %d B duckdb read_csv: %7.2fs (%d rows)\n", r, b, rows)
	}
	ma, mb := median(as), median(bs)
	fmt.Fprintf(out, "median A %.2fs, B %.2fs; A reaches %.0f%% of read_csv's speed\n", ma, mb, 100*mb/ma)

	// Re-run on the last A warehouse: nothing changes, then marts and export.
	re, _, err := child(ctx, o, "--warehouse", lastWH, "--file", file, "--hs", o.HS, "--then-marts-export")
	if err != nil {
		return fmt.Errorf("re-run: %w", err)
	}
	if re.Loaded != 0 || re.Unchanged != last.Loaded {
		return fmt.Errorf("re-run was not idempotent: %d loaded, %d unchanged (first load had %d)", re.Loaded, re.Unchanged, last.Loaded)
	}
	fmt.Fprintf(out, "re-run A:                  %7.2fs (load %.2fs; %d unchanged)\n", re.TotalS, re.LoadS, re.Unchanged)
	fmt.Fprintf(out, "marts rebuild (all):       %7.2fs\n", re.MartsS)
	fmt.Fprintf(out, "parquet export:            %7.2fs\n", re.ExportS)

	// The closing metrics. Ratios are of wall times: ingest_ratio is A/B
	// (at most 1.0: the full load is no slower than DuckDB reading the CSV
	// alone), rerun_ratio is the idempotent re-run over A's median. Rows
	// per second count the file's rows, read whatever --hs keeps.
	fmt.Fprintf(out, "ingest_ratio_vs_duckdb_read_csv: %.2f\n", ma/mb)
	fmt.Fprintf(out, "ingest_rows_per_s: %.0f\n", float64(o.Rows)/ma)
	fmt.Fprintf(out, "peak_rss_mib: %d\n", peak>>20)
	fmt.Fprintf(out, "rerun_ratio: %.2f\n", re.TotalS/ma)
	fmt.Fprintf(out, "marts_s: %.2f\n", re.MartsS)
	fmt.Fprintf(out, "export_s: %.2f\n", re.ExportS)
	if o.Dir == "" {
		return nil
	}
	return os.RemoveAll(lastWH) // the scratch folder keeps only the generated files
}

// dataRows counts a CSV file's lines after the header.
func dataRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	lines, last := 0, byte('\n')
	for {
		n, err := f.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if n > 0 {
			last = buf[n-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		lines++ // the last line has no newline
	}
	return lines - 1, nil
}

// generate writes the BACI file and its country codes into dir. It
// returns the file and, for random rows, how many repeat an earlier key
// (else 0).
func generate(dir string, o Options, out io.Writer) (string, int, error) {
	start := time.Now()
	if err := writeFile(filepath.Join(dir, gen.CountryCodesFileName), gen.WriteCountryCodes); err != nil {
		return "", 0, err
	}
	path := filepath.Join(dir, gen.FileName(o.Year))
	repeats := 0
	err := writeFile(path, func(w io.Writer) error {
		if o.Order == "random" {
			var err error
			repeats, err = gen.GenerateRandom(w, o.Rows, o.Seed, o.Year)
			return err
		}
		return gen.Generate(w, o.Rows, o.Seed, o.Year)
	})
	if err != nil {
		return "", 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	fmt.Fprintf(out, "generated %s: %d rows (%s order, %d repeated keys), %.1f MiB in %.2fs (seed %d, --hs %s)\n",
		path, o.Rows, o.Order, repeats, float64(st.Size())/(1<<20), time.Since(start).Seconds(), o.Seed, o.HS)
	return path, repeats, nil
}

func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// child runs one step in a child process and returns its result and peak RSS.
func child(ctx context.Context, o Options, args ...string) (childResult, int64, error) {
	var res childResult
	if o.Verbose {
		args = append(args, "-v")
	}
	cmd := exec.CommandContext(ctx, o.Child[0], append(slices.Clone(o.Child[1:]), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if o.Verbose {
		o.Log.Write(stderr.Bytes())
	}
	if err != nil {
		return res, 0, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return res, 0, fmt.Errorf("child printed no result (%v): %s", err, stdout.String())
	}
	if res.PeakRSS > 0 {
		return res, res.PeakRSS, nil
	}
	return res, peakRSS(cmd.ProcessState), nil
}

// readCSV times DuckDB's own CSV reader into a fresh database file:
// open, CREATE TABLE AS read_csv, close.
func readCSV(ctx context.Context, dbPath, file string) (float64, int64, error) {
	os.Remove(dbPath)
	defer os.Remove(dbPath)
	defer os.Remove(dbPath + ".wal")
	start := time.Now()
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return 0, 0, err
	}
	q := "CREATE TABLE t AS SELECT * FROM read_csv('" + strings.ReplaceAll(file, "'", "''") + "')"
	if _, err := db.ExecContext(ctx, q); err != nil {
		db.Close()
		return 0, 0, err
	}
	if err := db.Close(); err != nil {
		return 0, 0, err
	}
	secs := time.Since(start).Seconds()
	db, err = sql.Open("duckdb", dbPath)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var rows int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&rows); err != nil {
		return 0, 0, err
	}
	return secs, rows, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
