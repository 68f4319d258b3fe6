// Package report writes the dependency report: one self-contained HTML
// file (inline CSS, charts as inline SVG, no script, no font or image
// fetched) built from the warehouse's marts, per reporter and commodity
// group. Each plotted mark carries the mart value it shows in data
// attributes, so the page can be checked against the warehouse.
package report

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tradewh/tradewh/internal/atomicfile"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"add": func(a, b float64) float64 { return a + b },
}).Parse(pageTemplate))

// Options choose what the report covers.
type Options struct {
	Reporter  string    // ISO3 of the importing country; default USA
	Commodity string    // commodity group slug; empty: every group the reporter has
	AsOf      time.Time // zero: the warehouse as it is now; else as known at that time
	Now       time.Time // generation time printed in the page; zero: time.Now()
}

// Report is everything the page shows.
type Report struct {
	Title        string
	Generated    string
	AsOf         string
	Reporter     string
	ReporterName string
	Concern      string
	ConcernName  string
	Illustrative []SourceRef // demo flows: the page carries a banner
	LastRun      string
	Groups       []*Group
	Notes        []string
}

// SourceRef names a source and one of its files or requests.
type SourceRef struct {
	Source string
	Ref    string
	Rows   int64
}

// Group is one commodity group's sections.
type Group struct {
	Slug         string
	Name         string
	Headline     string
	Illustrative bool
	Sections     []*Section
}

// Section is one numbered part of a group.
type Section struct {
	ID       string
	Num      int
	Title    string
	Headline string
	Missing  string // set when the warehouse lacks what the section needs
	Notes    []string
	Charts   []*Chart
	Tables   []*Table
}

// Table is a chart's numbers, or a list.
type Table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

// Build reads the warehouse through db and lays out the report. It pins
// one connection: an as-of report recomputes the marts into temporary
// tables of that connection, which vanish when it closes.
func Build(ctx context.Context, db *sql.DB, o Options) (*Report, error) {
	if o.Reporter == "" {
		o.Reporter = "USA"
	}
	o.Reporter = strings.ToUpper(o.Reporter)
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if !o.AsOf.IsZero() {
		if err := prepareAsOf(ctx, conn, o.AsOf); err != nil {
			return nil, err
		}
	} else if err := measuresOn(ctx, conn, o.Now); err != nil {
		return nil, err
	}
	// Temporary objects outlive the statement, not the connection:
	// drop them so a pooled connection is handed back clean.
	defer dropTemp(ctx, conn)
	sc, err := readSchema(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, t := range []string{"trade_flows", "dependency_trends", "import_shares", "countries", "commodity_groups"} {
		if !sc.has(t) {
			return nil, fmt.Errorf("the warehouse has no %s table: run 'tradewh run' (or load data) first", t)
		}
	}
	b := &builder{ctx: ctx, q: conn, sc: sc, o: o, names: map[string]string{}}
	return b.build()
}

func dropTemp(ctx context.Context, conn *sql.Conn) {
	ctx = context.WithoutCancel(ctx) // cleanup runs after a cancellation too
	rows, err := conn.QueryContext(ctx, `SELECT table_name, CASE WHEN table_type = 'VIEW' THEN 'VIEW' ELSE 'TABLE' END
		FROM information_schema.tables WHERE table_catalog = 'temp'`)
	if err != nil {
		return
	}
	var drops []string
	for rows.Next() {
		var n, k string
		if rows.Scan(&n, &k) == nil {
			drops = append(drops, fmt.Sprintf(`DROP %s IF EXISTS temp."%s"`, k, n))
		}
	}
	rows.Close()
	for _, d := range drops {
		conn.ExecContext(ctx, d) //nolint:errcheck // best effort: the connection is closed next
	}
}

// Render writes the page.
func (r *Report) Render(w io.Writer) error { return page.Execute(w, r) }

// Write builds the report and writes it to path atomically (a reader never
// sees half a page). It returns the file's size.
func Write(ctx context.Context, db *sql.DB, o Options, path string) (int64, error) {
	r, err := Build(ctx, db, o)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	if err := r.Render(&buf); err != nil {
		return 0, fmt.Errorf("rendering the report: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	if err := atomicfile.Write(path, atomicfile.Options{Pattern: ".report-*.html"}, func(f *os.File) error {
		if _, err := f.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return f.Chmod(0o644)
	}); err != nil {
		return 0, err
	}
	return int64(buf.Len()), nil
}

// DefaultPath is where the report goes when no --output is given.
func DefaultPath(warehouseDir string) string {
	return filepath.Join(warehouseDir, "report", "index.html")
}
