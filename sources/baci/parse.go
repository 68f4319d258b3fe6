package baci

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/tradewh/tradewh/etl"
)

// readBuf is the read size: large enough that a read is rare next to the
// rows it holds, small enough to stay in cache.
const readBuf = 1 << 20

// header is the only header BACI files have.
const header = "t,i,j,k,v,q"

// parser reads one BACI file into batches.
type parser struct {
	ref, revision string
	sink          etl.Sink
	countries     *countryMap
	products      *productTable
	reporters     []bool // kept importers by ISO3 index; nil keeps all
	b             *batchBuilder
	prog          etl.Progress
	segSize       int // bytes a segment reads (see cut); 0 picks from the batch size

	row  int64 // data row of the line at hand, 1-based
	year int   // last year seen and its first day, cached
	days int32
}

func (p *parser) readFile(ctx context.Context) error {
	f, err := os.Open(p.ref)
	if err != nil {
		return err
	}
	defer f.Close()
	// Cached constant columns name this file: none outlives it.
	defer p.b.release()
	return p.read(ctx, etl.LoneCRAsLF(f))
}

func (p *parser) checkHeader(line []byte) error {
	h := strings.TrimPrefix(string(line), "\ufeff")
	h = strings.ToLower(strings.ReplaceAll(strings.TrimRight(h, "\r"), " ", ""))
	h = strings.ReplaceAll(h, `"`, "")
	if h != header {
		return fmt.Errorf("%s: the header begins %s, want %s (a BACI file)", p.ref, etl.Excerpt(string(line)), header)
	}
	return nil
}

// line parses one data row: the product code first, as most rows of a
// file fall outside the products a job asks for.
func (p *parser) line(ctx context.Context, line []byte) error {
	p.row++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return nil
	}
	var c [5]int // the five commas of t,i,j,k,v,q
	nc := 0
	for i := 0; i < len(line) && nc < 5; i++ {
		if line[i] == ',' {
			c[nc] = i
			nc++
		}
	}
	if nc < 5 {
		return p.reject(ctx, "", fmt.Sprintf("%d fields, want 6 (t,i,j,k,v,q)", nc+1), line)
	}
	k := line[c[2]+1 : c[3]]
	if len(k) > 2 && k[0] == '"' && k[len(k)-1] == '"' { // a re-saved file may quote codes to keep the zero
		k = k[1 : len(k)-1]
	}
	code, ok := productCode(k)
	if !ok {
		return p.reject(ctx, "k", fmt.Sprintf("product %q is not an HS6 code (6 digits, or 5 when the leading zero was lost)", k), line)
	}
	st, entry := p.products.state(code)
	if st == excluded {
		return nil
	}
	if extra := bytes.Count(line[c[4]+1:], []byte{','}); extra > 0 {
		return p.reject(ctx, "", fmt.Sprintf("%d fields, want 6 (t,i,j,k,v,q)", 6+extra), line)
	}

	imp, why := p.country(line[c[1]+1:c[2]], "importer")
	if imp == 0 {
		return p.reject(ctx, "j", why, line)
	}
	if p.reporters != nil && !p.reporters[imp] {
		return nil
	}
	exp, why := p.country(line[c[0]+1:c[1]], "exporter")
	if exp == 0 {
		return p.reject(ctx, "i", why, line)
	}
	year, ok := parseUint(line[:c[0]])
	if !ok || year < 1900 || year > 2200 {
		return p.reject(ctx, "t", fmt.Sprintf("year %q is not a year", line[:c[0]]), line)
	}
	if year != p.year {
		p.year = year
		p.days = int32(arrow.Date32FromTime(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)))
	}

	v := trimSpace(line[c[3]+1 : c[4]])
	var usd float64 // v is in thousands of dollars
	hasVal := !isNA(v)
	if hasVal {
		if _, usd, ok = parseThousands(v); !ok {
			return p.reject(ctx, "v", fmt.Sprintf("value %q is not a non-negative number (thousands of USD)", v), line)
		}
	}
	q := trimSpace(line[c[4]+1:])
	var qty, qty1000 float64
	hasQty := !isNA(q)
	if hasQty {
		if qty, qty1000, ok = parseThousands(q); !ok {
			return p.reject(ctx, "q", fmt.Sprintf("quantity %q is not a non-negative number (tonnes)", q), line)
		}
	}

	b := p.b
	n := b.n
	b.days[n] = p.days
	b.rep[n], b.par[n] = int32(imp)-1, int32(exp)-1
	b.prod[n] = p.products.number(code, entry)
	// Pooled buffers come back dirty: a null slot gets a harmless value
	// too (an index must stay inside its dictionary).
	if g := st - keptNoGroup; g > 0 {
		b.comm[n] = int32(g) - 1
		bitutil.SetBit(b.commValid, n)
	} else {
		b.comm[n] = 0
		b.commNulls++
	}
	if hasVal {
		b.val[n] = usd
		bitutil.SetBit(b.valValid, n)
	} else {
		b.val[n] = 0
		b.valNulls++
	}
	if hasQty {
		b.qty[n], b.kg[n] = qty, qty1000
		bitutil.SetBit(b.qtyValid, n)
	} else {
		b.qty[n], b.kg[n] = 0, 0
		b.qtyNulls++
	}
	b.rows[n] = p.row
	b.n++
	if b.full() {
		return p.flush(ctx)
	}
	return nil
}

// country maps a country code field to its ISO3 index+1; 0 with the
// reason when the field is no code or no known country.
func (p *parser) country(field []byte, role string) (uint16, string) {
	code, ok := parseUint(field)
	if !ok {
		return 0, fmt.Sprintf("%s %q is not a country code", role, field)
	}
	if i := p.countries.lookup(code); i != 0 {
		return i, ""
	}
	return 0, p.countries.unknown(role, code)
}

// productCode reads k as an HS6 code number (BACI writes 010121 as 10121).
func productCode(k []byte) (int, bool) {
	if len(k) != hsLen && len(k) != hsLen-1 {
		return 0, false
	}
	return parseUint(k)
}

func (p *parser) flush(ctx context.Context) error {
	if p.b.n == 0 {
		return nil
	}
	rec := p.b.record(p.countries.iso, p.products, p.revision, p.ref)
	defer rec.Release()
	return p.sink.Write(ctx, etl.TradeFlows, rec)
}

func (p *parser) reject(ctx context.Context, col, why string, line []byte) error {
	return p.sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: Kind, Ref: p.ref, Row: p.row,
		Column: col, Reason: etl.EscapeInvalidUTF8(why), Raw: etl.EscapeInvalidUTF8(string(line))})
}
