// Package measures is the source kind that loads users' trade measures
// (export controls, bans, quotas, suspensions) from CSV or YAML files into
// trade_measures, writing Arrow batches through the Sink like every
// source; the validation is in etl/measures, the table's schema in etl.
package measures

import (
	"context"
	"errors"
	"fmt"

	"github.com/tradewh/tradewh/etl"
	etlmeasures "github.com/tradewh/tradewh/etl/measures"
)

// Kind is the source kind name.
const Kind = "measures"

// TradeMeasures is the table the kind fills.
const TradeMeasures = etl.TradeMeasures

// Spec is the config of a measures source.
var Spec = etl.Spec{
	{Name: "paths", Type: etl.TypeStrings, Required: true,
		Doc: "measure files (.csv, .yaml, .yml) or globs; a measure with a default's id overrides it"},
	etl.FollowLinksField,
}

func init() {
	etl.Register(etl.Kind{
		Name:     Kind,
		Summary:  "trade measures (export controls, bans, quotas, suspensions) from CSV or YAML files",
		Table:    TradeMeasures,
		Spec:     Spec,
		FileArgs: "paths",
		New:      New,
	})
}

// Source reads measure files.
type Source struct {
	Paths       []string
	FollowLinks bool // take files a pattern finds through links out of its folder
}

// New builds a Source from a validated config.
func New(cfg etl.Config, _ etl.Runtime) (etl.Source, error) {
	r := cfg.Reads()
	s := &Source{Paths: r.Strings("paths"), FollowLinks: r.Bool("follow_links")}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Extract reads and validates every file, then writes each file's
// measures as a batch: one bad file fails the load, with every problem
// found, and nothing is written. An id in two files is an error too.
func (s *Source) Extract(ctx context.Context, sink etl.Sink) error {
	files, err := s.read()
	if err != nil {
		return err
	}
	for _, ms := range files {
		rec := etlmeasures.Batch(ms)
		err := sink.Write(ctx, TradeMeasures, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// read validates every file and returns the measures of each, in the
// order of the files.
func (s *Source) read() ([][]etlmeasures.Measure, error) {
	files, err := expand(s.Paths, s.FollowLinks)
	if err != nil {
		return nil, err
	}
	known := etlmeasures.DefaultIDs()
	all := map[string]string{}
	var out [][]etlmeasures.Measure
	var errs []error
	// Ids in any of the files may be suspended by another.
	var parsed [][]etlmeasures.Measure
	for _, f := range files {
		ms, err := etlmeasures.ReadFile(f, nil)
		if err != nil {
			var ps etl.FileProblems
			if errors.As(err, &ps) {
				// Retried below with the ids of every file known.
				parsed = append(parsed, nil)
				continue
			}
			return nil, err
		}
		parsed = append(parsed, ms)
		for _, m := range ms {
			known[m.ID] = true
		}
	}
	for i, f := range files {
		ms := parsed[i]
		if ms == nil {
			var err error
			if ms, err = etlmeasures.ReadFile(f, known); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		var kept []etlmeasures.Measure
		for _, m := range ms {
			if prev, dup := all[m.ID]; dup {
				errs = append(errs, fmt.Errorf("%s:%d:1: measure_id: %q is also in %s", f, m.Line, m.ID, prev))
				continue
			}
			all[m.ID] = f
			kept = append(kept, m)
		}
		out = append(out, kept)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func expand(paths []string, followLinks bool) ([]string, error) {
	files, err := etl.ExpandPaths(paths, etl.PathOptions{Hint: "*.yaml", FollowLinks: followLinks})
	if err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	return files, nil
}
