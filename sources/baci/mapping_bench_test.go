package baci

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/tradewh/tradewh/bench/gen"
)

// BenchmarkCodeMapping measures what every kept row costs besides
// parsing: its numeric exporter and importer codes mapped to ISO3
// indexes, its product code to a commodity group, all on integers.
func BenchmarkCodeMapping(b *testing.B) {
	path := filepath.Join(b.TempDir(), gen.CountryCodesFileName)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := gen.WriteCountryCodes(w); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	cm, err := loadCountryMap(path)
	if err != nil {
		b.Fatal(err)
	}
	var codes []int
	for _, c := range gen.Countries() {
		codes = append(codes, c.M49)
	}
	products := gen.Products(1)
	pt := newProductTable(nil)
	b.ResetTimer()
	var sink uint32
	rows := 0
	for b.Loop() {
		for i := range 1 << 16 {
			sink += uint32(cm.lookup(codes[i%len(codes)])) + uint32(cm.lookup(codes[(i*7)%len(codes)]))
			st, _ := pt.state(products[i%len(products)])
			sink += uint32(st)
		}
		rows += 1 << 16
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	if sink == 0 {
		b.Fatal("nothing mapped")
	}
}
