package usgsmcs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/tradewh/tradewh/etl"
)

// Kind is the source kind name.
const Kind = "usgs-mcs"

// Spec is the config of a usgs-mcs source.
var Spec = etl.Spec{
	{Name: "paths", Type: etl.TypeStrings,
		Doc: "MCS data-release files, folders (searched recursively for mcsYYYY-<abbr>_salient/_world .csv/.xlsx) or globs"},
	{Name: "urls", Type: etl.TypeStrings,
		Doc: "MCS data-release files to download (.csv or .xlsx, named as published, e.g. .../mcs2025-raree_salient.csv); each lands in the raw landing zone"},
	{Name: "strict", Type: etl.TypeBool, Default: false,
		Doc: "all or nothing: a file that cannot be read fails the whole load (default: it is rejected, recorded in rejected_rows, and the other files load)"},
	{Name: "edition", Type: etl.TypeString,
		Doc: "edition such as MCS2025, overriding the DataSource/Source column and the file name"},
	{Name: "inbox", Type: etl.TypeBool, Default: false,
		Doc: "paths are an inbox that files are dropped into: a missing or empty folder (or a glob matching nothing) is nothing new, logged, not an error"},
	etl.FollowLinksField,
}

func init() {
	etl.Register(etl.Kind{
		Name:     Kind,
		Summary:  "USGS Mineral Commodity Summaries salient and world tables (CSV or XLSX)",
		Table:    etl.MineralStatistics,
		Spec:     Spec,
		FileArgs: "paths",
		New:      New,
		// New only reads its config: building with no runtime checks it.
		Check: etl.CheckBy(func(c etl.Config) error { _, err := New(c, etl.Runtime{}); return err }),
	})
}

// Source reads MCS tables from files.
type Source struct {
	Paths   []string
	URLs    []string
	Edition string // '' = from the file
	Inbox   bool   // a missing or empty folder of Paths is nothing new
	Follow  bool   // take files found through links out of the folders searched
	Strict  bool   // a file that cannot be read fails the load
	Logger  *slog.Logger
	RawDir  string       // landing zone for downloaded files
	HTTP    *http.Client // nil: http.DefaultClient
	Replay  bool         // take downloads from the landing zone only
	// Written and Rejected count what the last Extract produced;
	// FailedFiles lists the files it rejected whole.
	Written, Rejected int64
	FailedFiles       []string
}

// New builds a Source from a validated config.
func New(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
	r := cfg.Reads()
	ed, paths, urls := r.String("edition"), r.Strings("paths"), r.Strings("urls")
	inbox, follow, strict := r.Bool("inbox"), r.Bool("follow_links"), r.Bool("strict")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if ed != "" {
		n, _, ok := normEdition(ed)
		if !ok {
			return nil, fmt.Errorf("edition: %q is not MCS followed by a year (MCS2025)", ed)
		}
		ed = n
	}
	if len(paths) == 0 && len(urls) == 0 {
		return nil, fmt.Errorf("paths: at least one file, folder, glob or URL (urls) is required")
	}
	return &Source{Paths: paths, URLs: urls, Edition: ed, Inbox: inbox,
		Follow: follow, Strict: strict, Logger: rt.Logger,
		RawDir: rt.RawDir, HTTP: rt.HTTP, Replay: rt.Replay}, nil
}

// Extract reads every file and writes mineral statistics to sink.
func (s *Source) Extract(ctx context.Context, sink etl.Sink) error {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	paths := s.Paths
	if s.Inbox {
		paths = inboxPaths(paths, log)
	}
	files, err := findFiles(paths, s.Follow, log)
	if err != nil {
		return err
	}
	downloaded, err := s.fetchURLs(ctx)
	if err != nil {
		return err
	}
	files = append(files, downloaded...)
	x := &extractor{editionOverride: s.Edition, sink: sink, w: etl.NewMineralStatWriter(sink, 0), seen: map[string]string{}, log: log}
	var failed []string
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			x.w.Close(ctx)
			return err
		}
		tables, err := readFile(f)
		if err == nil && len(tables) > 1 {
			err = checkTables(ctx, tables)
		}
		if err == nil {
			for _, t := range tables {
				if err = x.readTable(ctx, t); err != nil {
					break
				}
			}
		}
		if err == nil {
			// each file's rows in batches of their own: batch order is file order
			if err := x.w.Flush(ctx); err != nil {
				return err
			}
			continue
		}
		var se sinkError
		if s.Strict || errors.As(err, &se) || ctx.Err() != nil {
			x.w.Close(ctx)
			return err
		}
		// A file that cannot be read is rejected whole; the others load.
		// Its tables fail before any of their rows is written (a header
		// that cannot be read, an unknown abbreviation), so nothing of it
		// is half loaded.
		failed = append(failed, f)
		log.Warn("usgs-mcs: file rejected, the others load (strict: true makes this fail the load)", "file", f, "reason", err.Error())
		if rerr := x.reject(ctx, f, 0, "", "the file cannot be read: "+err.Error(), ""); rerr != nil {
			x.w.Close(ctx)
			return rerr
		}
	}
	err = x.w.Close(ctx)
	s.Written, s.Rejected, s.FailedFiles = x.w.Written, x.w.Rejected+x.rejected, failed
	log.Info("usgs-mcs extracted", "files", len(files), "rows", s.Written, "rejected", s.Rejected, "files_rejected", len(failed))
	return err
}

// extractor carries the state of one Extract.
type extractor struct {
	editionOverride string
	sink            etl.Sink
	w               *etl.MineralStatWriter
	seen            map[string]string // statistic key -> where it was read
	log             *slog.Logger
	rejected        int64
}

// emit writes m unless the same statistic was already read in this load:
// two rows with one key would be ambiguous in the warehouse.
func (x *extractor) emit(ctx context.Context, m etl.MineralStat) error {
	key := m.Edition + "|" + m.Commodity + "|" + strconv.Itoa(m.Year) + "|" + m.Country + "|" + m.Measure + "|" + m.Product + "|" + m.Unit
	where := fmt.Sprintf("%s row %d column %q", m.Ref, m.Row, m.Column)
	if prev, dup := x.seen[key]; dup {
		return x.reject(ctx, m.Ref, m.Row, m.Column, "the same statistic was already read from "+prev, m.Column)
	}
	x.seen[key] = where
	if err := x.w.Add(ctx, m); err != nil {
		return sinkError{err}
	}
	return nil
}

func (x *extractor) reject(ctx context.Context, ref string, row int64, col, reason, raw string) error {
	x.rejected++
	err := x.sink.Reject(ctx, etl.Rejection{Table: etl.MineralStatistics, Source: Kind, Ref: ref, Row: row,
		Column: col, Reason: reason, Raw: etl.EscapeInvalidUTF8(raw)})
	if err != nil {
		return sinkError{err}
	}
	return nil
}

// sinkError is a failure of the sink, never of the file being read: it
// ends the load whatever the strict setting.
type sinkError struct{ error }

func (e sinkError) Unwrap() error { return e.error }

// checkTables reads the tables of a workbook into nowhere first, so that a
// sheet that cannot be read rejects its workbook before another sheet of
// it is loaded.
func checkTables(ctx context.Context, tables []*table) error {
	sink := &etl.MemorySink{}
	defer sink.Release()
	x := &extractor{sink: sink, w: etl.NewMineralStatWriter(sink, 0), seen: map[string]string{}}
	defer x.w.Close(ctx)
	for _, t := range tables {
		if err := x.readTable(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
