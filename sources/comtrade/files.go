package comtrade

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// csvRequired are the columns without which no row could map.
var csvRequired = []string{"freqCode", "period", "reporterCode", "partnerCode", "flowCode", "cmdCode", "primaryValue"}

// fileSource loads Comtrade records saved to files: CSV with the API's
// field names, or v1 response bodies.
type fileSource struct {
	kind        string
	paths       []string
	followLinks bool
	rt          etl.Runtime
	read        func(ctx context.Context, path string, m *mapper) error
}

func newFileSource(kind string, cfg etl.Config, rt etl.Runtime, read func(ctx context.Context, path string, m *mapper) error) (etl.Source, error) {
	r := cfg.Reads()
	s := &fileSource{kind: kind, paths: r.Strings("paths"), followLinks: r.Bool("follow_links"), rt: rt, read: read}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fileSource) Extract(ctx context.Context, sink etl.Sink) error {
	files, err := etl.ExpandPaths(s.paths, etl.PathOptions{Hint: "*.csv", FollowLinks: s.followLinks})
	if err != nil {
		return fmt.Errorf("%s: %w", s.kind, err)
	}
	m := newMapper(s.kind, sink)
	prog := s.rt.StartProgress(s.kind, int64(len(files)))
	defer prog.Done()
	for _, f := range files {
		before := m.records
		if err := s.read(ctx, f, m); err != nil {
			return fmt.Errorf("%s: %w", s.kind, err)
		}
		// Each file's rows go in batches of their own, so that batch order
		// is file order and the first file given wins a repeated key.
		if err := m.w.Flush(ctx); err != nil {
			return err
		}
		if m.records == before && s.rt.Logger != nil {
			s.rt.Logger.Warn(s.kind+": the file holds no records (a header or an empty data list only)", "file", f)
		}
		prog.Add(1)
	}
	return m.close(ctx)
}

// readCSV streams a CSV saved with the API's field names. Extra columns
// (commodity_name, hs_code, query_year, ...) are ignored.
func readCSV(ctx context.Context, path string, m *mapper) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := etl.NewCSVReader(f)
	r.FieldsPerRecord = -1 // a short row is rejected, not fatal
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the header: %w", path, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if first, dup := idx[h]; dup && h != "" {
			// which of the two holds the figure is anyone's guess
			return fmt.Errorf("%s: row 1: column %q appears twice (columns %d and %d): keep one", path, h, first+1, i+1)
		}
		idx[h] = i
	}
	width := len(header)
	names := append([]string(nil), header...) // header's slice is reused by the next Read
	for _, c := range csvRequired {
		if _, ok := idx[c]; !ok {
			return fmt.Errorf("%s: missing column %q (a Comtrade CSV has the API's field names, e.g. %s)",
				path, c, strings.Join(csvRequired, ", "))
		}
	}
	for row := int64(1); ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: data row %d: %w", path, row, err)
		}
		if row%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		raw := etl.EscapeInvalidUTF8(strings.Join(rec, ","))
		if i := etl.InvalidUTF8(rec); i >= 0 {
			// stored as it is, the row would fail the whole load in the
			// warehouse, which takes text only as UTF-8
			col := fmt.Sprintf("column %d", i+1)
			if i < len(names) {
				col = strings.TrimSpace(strings.TrimPrefix(names[i], "\ufeff"))
			}
			m.rejected++
			m.records++
			if err := m.sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: SourceName, Ref: path, Row: row, Column: col,
				Reason: fmt.Sprintf("%s %q is not valid UTF-8 text (save the file as UTF-8)", col, etl.EscapeInvalidUTF8(rec[i])), Raw: raw}); err != nil {
				return err
			}
			continue
		}
		if len(rec) != width {
			m.rejected++
			m.records++
			if err := m.sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: SourceName, Ref: path, Row: row,
				Reason: fmt.Sprintf("row has %d fields, the header has %d", len(rec), width), Raw: raw}); err != nil {
				return err
			}
			continue
		}
		get := func(col string) string {
			if i, ok := idx[col]; ok {
				return rec[i]
			}
			return ""
		}
		if err := m.add(ctx, path, row, get, raw); err != nil {
			return err
		}
	}
}

// readJSON streams a saved v1 response body.
func readJSON(ctx context.Context, path string, m *mapper) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return emitV1(ctx, f, path, m)
}

// emitV1 maps every row of a v1 body; source_row is the index in data + 1.
func emitV1(ctx context.Context, r io.Reader, ref string, m *mapper) error {
	_, err := readV1(r, func(i int, rec map[string]any, raw json.RawMessage) error {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if k, ok := repeatedKey(raw); ok {
			// decoding kept the last value; which one is meant is a guess
			m.records++
			m.rejected++
			return m.sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: SourceName, Ref: ref, Row: int64(i) + 1,
				Column: etl.EscapeInvalidUTF8(k), Reason: fmt.Sprintf("%q appears twice in the record", etl.EscapeInvalidUTF8(k)),
				Raw: etl.EscapeInvalidUTF8(string(raw))})
		}
		return m.add(ctx, ref, int64(i)+1, jsonGetter(rec), string(raw))
	})
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	return nil
}
