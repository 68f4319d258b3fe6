package baci

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"testing/iotest"

	"github.com/tradewh/tradewh/etl"
)

func TestParseThousands(t *testing.T) {
	for _, tc := range []struct {
		in       string
		v, v1000 float64
		ok       bool
	}{
		{"0.001", 0.001, 1, true},
		{"1234.567", 1234.567, 1234567, true},
		{"12", 12, 12000, true},
		{"0.0000005", 0.0000005, 0.0005, true},
		{"1e3", 1000, 1e6, true}, // not BACI's notation, still a number
		{"123456789012345678", 123456789012345678, 123456789012345678000, true},
		{"-1", 0, 0, false},
		{"1.2.3", 0, 0, false},
		{".", 0, 0, false},
		{"NaN", 0, 0, false},
		{"Inf", 0, 0, false},
		{"1e307", 0, 0, false}, // infinite once scaled to kilograms
		{"", 0, 0, false},
	} {
		v, v1000, ok := parseThousands([]byte(tc.in))
		if ok != tc.ok || (ok && (v != tc.v || v1000 != tc.v1000)) {
			t.Errorf("%q: got %v %v %v, want %v %v %v", tc.in, v, v1000, ok, tc.v, tc.v1000, tc.ok)
		}
	}
}

// The fast path must agree with strconv to the last bit.
func TestParseThousandsMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		s := strconv.FormatFloat(r.ExpFloat64()*float64(r.IntN(1e9)), 'f', r.IntN(6), 64)
		v, v1000, ok := parseThousands([]byte(s))
		want, _ := strconv.ParseFloat(s, 64)
		want1000, _ := strconv.ParseFloat(s+"e3", 64)
		if !ok || v != want || v1000 != want1000 {
			t.Fatalf("%s: got %v %v, want %v %v", s, v, v1000, want, want1000)
		}
	}
}

// Lines cut anywhere by short reads parse as when read whole.
func TestShortReads(t *testing.T) {
	data, err := os.ReadFile("testdata/BACI_HS17_Y2022_V202401.csv")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	data = bytes.TrimSuffix(data, []byte("\r\n")) // no final newline
	run := func(r func() []byte) (int64, int, string) {
		p, sink := testParser(t, "testdata/country_codes_V202401.csv", 2, nil, 0) // several batches
		if err := p.read(context.Background(), bytes.NewReader(r())); err != nil {
			t.Fatal(err)
		}
		var last string
		for _, rec := range sink.Records[etl.TradeFlows] {
			last = rec.Column(5).ValueStr(int(rec.NumRows()) - 1)
		}
		return sink.Rows(etl.TradeFlows), len(sink.Rejections), last
	}
	n1, r1, l1 := run(func() []byte { return data })
	if n1 != 7 || r1 != 4 || l1 != "811299" {
		t.Fatalf("got %d rows, %d rejections, last code %s; want 7, 4, 811299", n1, r1, l1)
	}
	p, sink := testParser(t, "testdata/country_codes_V202401.csv", 3, nil, 0)
	if err := p.read(context.Background(), iotest.OneByteReader(bytes.NewReader(data))); err != nil {
		t.Fatal(err)
	}
	if sink.Rows(etl.TradeFlows) != n1 || len(sink.Rejections) != r1 {
		t.Errorf("one byte at a time: %d rows, %d rejections; want %d, %d", sink.Rows(etl.TradeFlows), len(sink.Rejections), n1, r1)
	}
}

// testParser is a parser of batchRows-row batches over the country codes
// at ccPath ("" for the built-in ones), keeping products of prefixes (nil
// keeps all), reading segments of segSize bytes (0: the default), and the
// sink it writes to; both are released when the test ends.
func testParser(t *testing.T, ccPath string, batchRows int, prefixes []string, segSize int) (*parser, *etl.MemorySink) {
	t.Helper()
	cm, err := loadCountryMap(ccPath)
	if err != nil {
		t.Fatal(err)
	}
	sink := &etl.MemorySink{}
	t.Cleanup(sink.Release)
	b := newBatchBuilder(batchRows)
	t.Cleanup(b.release)
	return &parser{ref: "x", sink: sink, countries: cm, products: newProductTable(prefixes), b: b, prog: etl.QuietProgress{}, segSize: segSize}, sink
}

// A file re-saved with quoted product codes keeps its leading zeros.
func TestQuotedProductCode(t *testing.T) {
	p, sink := testParser(t, "", 10, []string{"01"}, 0)
	in := "t,i,j,k,v,q\n2022,156,842,\"010121\",1,1\n2022,156,842,\"10121\",1,1\n2022,156,842,\"\",1,1\n"
	if err := p.read(context.Background(), bytes.NewReader([]byte(in))); err != nil {
		t.Fatal(err)
	}
	if n := sink.Rows(etl.TradeFlows); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
	if got := sink.Records[etl.TradeFlows][0].Column(5).ValueStr(1); got != "010121" {
		t.Errorf("hs_code %q, want 010121", got)
	}
	if len(sink.Rejections) != 1 || sink.Rejections[0].Column != "k" || sink.Rejections[0].Row != 3 {
		t.Errorf("rejections %v, want row 3 column k", sink.Rejections)
	}
}

func TestCodeTable(t *testing.T) {
	var ct codeTable
	for code := 0; code < 20000; code += 3 {
		*ct.at(code) = uint32(code) * 7
	}
	for code := 0; code < 20000; code++ {
		want := uint32(0)
		if code%3 == 0 {
			want = uint32(code) * 7
		}
		if got := *ct.at(code); got != want {
			t.Fatalf("code %d: %d, want %d", code, got, want)
		}
	}
}
