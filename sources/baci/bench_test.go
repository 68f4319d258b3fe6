package baci_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/bench/gen"
	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/baci"
)

const benchRows = 1_000_000

// benchFile generates a BACI file and its country codes.
func benchFile(b *testing.B) string {
	dir := b.TempDir()
	err := writeFile(filepath.Join(dir, gen.CountryCodesFileName), func(w *bufio.Writer) error { return gen.WriteCountryCodes(w) })
	if err == nil {
		err = writeFile(filepath.Join(dir, gen.FileName(2022)), func(w *bufio.Writer) error {
			return gen.Generate(w, benchRows, 1, 2022)
		})
	}
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Join(dir, gen.FileName(2022))
}

func writeFile(path string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// countSink counts and drops batches, so only parsing is measured.
type countSink struct{ rows, rejected int64 }

func (s *countSink) Write(_ context.Context, _ etl.Table, rec arrow.RecordBatch) error {
	s.rows += rec.NumRows()
	return nil
}

func (s *countSink) Reject(context.Context, etl.Rejection) error { s.rejected++; return nil }

// BenchmarkParseBACI parses a generated 1M-row file into Arrow batches:
// every product (the load a fresh warehouse does) and the default
// commodity-group filter (most rows skipped after reading k).
func BenchmarkParseBACI(b *testing.B) {
	path := benchFile(b)
	for _, tc := range []struct {
		name string
		hs   []any
	}{{"all", paths("*")}, {"critical", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := map[string]any{"paths": paths(path)}
			if tc.hs != nil {
				cfg["hs_codes"] = tc.hs
			}
			src, _, err := etl.BuildSource(etl.JobSpec{Name: "bench", Kind: baci.Kind, Config: cfg}, etl.Runtime{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var out int64
			for b.Loop() {
				sink := &countSink{}
				if err := src.Extract(context.Background(), sink); err != nil {
					b.Fatal(err)
				}
				if sink.rejected != 0 {
					b.Fatalf("%d rows rejected from a generated file", sink.rejected)
				}
				out = sink.rows
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(out), "rows_out")
		})
	}
}
