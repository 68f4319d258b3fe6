package usgsmcs

import (
	"context"
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
	{Name: "edition", Type: etl.TypeString,
		Doc: "edition such as MCS2025, overriding the DataSource/Source column and the file name"},
	{Name: "inbox", Type: etl.TypeBool, Default: false,
		Doc: "paths are an inbox that files are dropped into: a missing or empty folder (or a glob matching nothing) is nothing new, logged, not an error"},
}

func init() {
	etl.Register(etl.Kind{
		Name:     Kind,
		Summary:  "USGS Mineral Commodity Summaries salient and world tables (CSV or XLSX)",
		Table:    etl.MineralStatistics,
		Spec:     Spec,
		FileArgs: "paths",
		New:      New,
	})
}

// Source reads MCS tables from files.
type Source struct {
	Paths   []string
	URLs    []string
	Edition string // '' = from the file
	Inbox   bool   // a missing or empty folder of Paths is nothing new
	Logger  *slog.Logger
	RawDir  string       // landing zone for downloaded files
	HTTP    *http.Client // nil: http.DefaultClient
	Replay  bool         // take downloads from the landing zone only
	// Written and Rejected count what the last Extract produced.
	Written, Rejected int64
}

// New builds a Source from a validated config.
func New(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
	ed := cfg.String("edition")
	if ed != "" {
		n, _, ok := normEdition(ed)
		if !ok {
			return nil, fmt.Errorf("edition: %q is not MCS followed by a year (MCS2025)", ed)
		}
		ed = n
	}
	if len(cfg.Strings("paths")) == 0 && len(cfg.Strings("urls")) == 0 {
		return nil, fmt.Errorf("paths: at least one file, folder, glob or URL (urls) is required")
	}
	return &Source{Paths: cfg.Strings("paths"), URLs: cfg.Strings("urls"), Edition: ed, Inbox: cfg.Bool("inbox"), Logger: rt.Logger,
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
	files, err := findFiles(paths, log)
	if err != nil {
		return err
	}
	downloaded, err := s.fetchURLs(ctx)
	if err != nil {
		return err
	}
	files = append(files, downloaded...)
	x := &extractor{editionOverride: s.Edition, sink: sink, w: etl.NewMineralStatWriter(sink, 0), seen: map[string]string{}, log: log}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			x.w.Close(ctx)
			return err
		}
		tables, err := readFile(f)
		if err == nil {
			for _, t := range tables {
				if err = x.readTable(ctx, t); err != nil {
					break
				}
			}
		}
		if err != nil {
			x.w.Close(ctx)
			return err
		}
	}
	err = x.w.Close(ctx)
	s.Written, s.Rejected = x.w.Written, x.w.Rejected+x.rejected
	log.Info("usgs-mcs extracted", "files", len(files), "rows", s.Written, "rejected", s.Rejected)
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
	return x.w.Add(ctx, m)
}

func (x *extractor) reject(ctx context.Context, ref string, row int64, col, reason, raw string) error {
	x.rejected++
	return x.sink.Reject(ctx, etl.Rejection{Table: etl.MineralStatistics, Source: Kind, Ref: ref, Row: row,
		Column: col, Reason: reason, Raw: raw})
}
