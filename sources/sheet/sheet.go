// Package sheet loads analysts' spreadsheets: CSV or XLSX files dropped in
// a folder, mapped by config onto trade_flows or mineral_statistics. The
// config names the file's header text for each canonical column, so a
// sheet keeps its own layout (a title above the header, a two-row header
// with merged group titles, footnote marks, units in thousands).
//
// A file whose content was loaded before is skipped: content hashes are
// kept under the landing zone and recorded only once the load committed
// (see Source.Committed). Every loaded file is copied to the landing zone,
// from which `run --replay` loads again.
package sheet

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tradewh/tradewh/etl"
)

// Kind is the source kind name.
const Kind = "sheet"

// Spec is the config of a sheet source.
var Spec = etl.Spec{
	{Name: "paths", Type: etl.TypeStrings, Required: true,
		Doc: "files or glob patterns (e.g. ./inbox/analyst/*.xlsx); a pattern matching nothing is logged, a missing file is an error"},
	{Name: "table", Type: etl.TypeString, Required: true, Enum: []string{string(etl.TradeFlows), string(etl.MineralStatistics)},
		Doc: "canonical table the rows go to"},
	{Name: "sheet", Type: etl.TypeString, Doc: "XLSX sheet name (default: the first sheet)"},
	{Name: "header_row", Type: etl.TypeInt, Default: 1, Doc: "1-based row of the header (the top row of a two-row header)"},
	{Name: "header_rows", Type: etl.TypeInt,
		Doc: "rows the header spans (default: as deep as merged header cells reach, else 1)"},
	{Name: "columns", Type: etl.TypeMap, Required: true,
		Doc: "canonical column -> the file's header text; \"Group / Header\" names a column under a merged group title"},
	{Name: "constants", Type: etl.TypeMap,
		Doc: "canonical column -> one value for every row (also fills blank cells of a mapped column)"},
	{Name: "multipliers", Type: etl.TypeMap, Doc: "numeric column -> unit multiplier (value_usd: 1000 for USD thousand)"},
	{Name: "source_name", Type: etl.TypeString, Default: Kind, Doc: "value of the source column"},
	{Name: "delimiter", Type: etl.TypeString, Default: ",", Doc: "CSV field separator: one character, or tab"},
	etl.FollowLinksField,
	{Name: "decimal", Type: etl.TypeString, Default: ".", Enum: []string{".", ","},
		Doc: "CSV decimal separator; with \",\" 1.234,5 reads as 1234.5 (workbook numbers need no setting)"},
}

func init() {
	etl.Register(etl.Kind{
		Name:    Kind,
		Summary: "analysts' CSV/XLSX spreadsheets mapped by config onto trade_flows or mineral_statistics",
		// Table is left empty: the config's `table` picks it.
		Spec:     Spec,
		FileArgs: "paths",
		New:      New,
		// New only reads its config: building with no runtime checks it.
		Check: etl.CheckBy(func(c etl.Config) error { _, err := New(c, etl.Runtime{}); return err }),
	})
}

// Source reads analysts' spreadsheets.
type Source struct {
	paths       []string
	followLinks bool
	m           *mapping
	rt          etl.Runtime
	log         *slog.Logger

	pending []seenFile // loaded by the last Extract, recorded by Committed

	// What the last Extract did.
	Written, Rejected, SkippedFiles int64
}

// New builds a Source from a validated config.
func New(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
	m, err := parseMapping(cfg)
	if err != nil {
		return nil, err
	}
	r := cfg.Reads()
	paths, followLinks := r.Strings("paths"), r.Bool("follow_links")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(paths) == 0 && !rt.Replay {
		return nil, etl.Problem{Field: "paths", Message: "at least one file or glob is required"}
	}
	log := rt.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Source{paths: paths, followLinks: followLinks, m: m, rt: rt, log: log.With("source", Kind, "job", rt.JobName)}, nil
}

// Extract loads every new file (every landed file when replaying).
func (s *Source) Extract(ctx context.Context, sink etl.Sink) error {
	s.pending, s.Written, s.Rejected, s.SkippedFiles = nil, 0, 0, 0
	files, err := s.inputs()
	if err != nil {
		return err
	}
	seen, err := readState(s.statePath())
	if err != nil {
		return err
	}
	out := newEmitter(s.m, sink)
	bar := s.rt.StartProgress("sheet files", int64(len(files)))
	defer bar.Done()
	inRun := map[string]string{} // hash -> path, for copies within one run
	var pending []seenFile
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		bar.Add(1)
		data, sum, err := readInput(f.path)
		if err != nil {
			return err
		}
		if prev, ok := inRun[sum]; ok {
			s.log.Info("file skipped: same content as another file of this run", "file", f.ref, "same_as", prev)
			s.SkippedFiles++
			continue
		}
		inRun[sum] = f.ref
		if e, ok := seen.Files[sum]; ok && !s.rt.Replay && e.Mapping == s.m.fingerprint {
			s.log.Info("file skipped: unchanged since it was loaded", "file", f.ref,
				"loaded_at", e.LoadedAt, "as", e.Path)
			s.SkippedFiles++
			continue
		}
		landed := f.landed
		if landed == "" {
			if landed, err = s.land(f.path, data, sum); err != nil {
				return err
			}
		}
		w0, r0 := out.written(), out.rejected
		if err := out.file(ctx, f.ref, data, isXLSX(f.path)); err != nil {
			return err
		}
		// Each file's rows go in batches of their own, so that batch order
		// is file order and the first file given wins a repeated key.
		if err := out.flush(ctx); err != nil {
			return err
		}
		rows, rej := out.written()-w0, out.rejected-r0
		s.log.Info("file loaded", "file", f.ref, "rows", rows, "rejected", rej)
		if names := out.takeUnplaced(); names != "" {
			s.log.Warn("country names no table places (add them to etl/country_aliases.csv, or use ISO3 codes): "+names, "file", f.ref)
		}
		if rows+rej == 0 {
			s.log.Warn("the file held no data rows", "file", f.ref)
		}
		pending = append(pending, seenFile{SHA256: sum, Path: f.ref, Landed: landed,
			Mapping: s.m.fingerprint, Rows: rows, Rejected: rej})
	}
	if err := out.close(ctx); err != nil {
		return err
	}
	s.Written, s.Rejected = out.written(), out.rejected
	if len(files) == 0 {
		s.log.Info("no files to load", "paths", s.paths)
	}
	if !s.rt.Replay {
		s.pending = pending
	}
	return nil
}

// Committed records the files of the last Extract as loaded, so an
// unchanged file is skipped next time. The pipeline calls it once the load
// has committed; until then a failed or rolled-back load leaves no trace.
func (s *Source) Committed(ctx context.Context) error {
	if len(s.pending) == 0 || s.rt.RawDir == "" {
		s.pending = nil
		return nil
	}
	if err := recordLoaded(s.statePath(), s.pending); err != nil {
		return fmt.Errorf("%s: recording loaded files: %w", Kind, err)
	}
	s.pending = nil
	return nil
}
