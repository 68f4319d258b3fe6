package measures

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
)

// Batch is ms as a batch of etl.TradeMeasuresSchema, what a source writes
// to the Sink; the caller releases it. An empty text is a null where the
// schema allows one.
func Batch(ms []Measure) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, etl.TradeMeasuresSchema)
	defer b.Release()
	text := func(i int, s string, nullable bool) {
		sb := b.Field(i).(*array.StringBuilder)
		if nullable && s == "" {
			sb.AppendNull()
		} else {
			sb.Append(s)
		}
	}
	dt := func(i int, t time.Time) {
		db := b.Field(i).(*array.Date32Builder)
		if t.IsZero() {
			db.AppendNull()
		} else {
			db.Append(arrow.Date32FromTime(t))
		}
	}
	for _, m := range ms {
		text(0, m.ID, false)
		text(1, m.Imposing, false)
		tb := b.Field(2).(*array.ListBuilder)
		if m.Targets == nil {
			tb.AppendNull()
		} else {
			tb.Append(true)
			for _, t := range m.Targets {
				tb.ValueBuilder().(*array.StringBuilder).Append(t)
			}
		}
		text(3, m.Type, false)
		text(4, m.Commodity, true)
		text(5, m.Title, false)
		dt(6, m.Announced)
		dt(7, m.Effective)
		dt(8, m.End)
		text(9, m.Status, false)
		text(10, m.Suspends, true)
		text(11, m.Citation, false)
		text(12, m.Unsourced, true)
		cb := b.Field(13).(*array.ListBuilder)
		cb.Append(true)
		sb := cb.ValueBuilder().(*array.StructBuilder)
		for _, c := range m.Codes {
			sb.Append(true)
			sb.FieldBuilder(0).(*array.StringBuilder).Append(c.HS)
			rb := sb.FieldBuilder(1).(*array.StringBuilder)
			if c.Revision == "" {
				rb.AppendNull()
			} else {
				rb.Append(c.Revision)
			}
		}
		text(14, m.Origin, false)
		b.Field(15).(*array.Int64Builder).Append(int64(m.Line))
	}
	return b.NewRecordBatch()
}

// FromBatch reads back the measures of a batch Batch made.
func FromBatch(rec arrow.RecordBatch) ([]Measure, error) {
	if err := etl.CheckSchema(etl.TradeMeasures, rec.Schema()); err != nil {
		return nil, err
	}
	// cloned: the measures outlive the batch
	str := func(i int) func(int) string {
		get := etl.StringsOf(rec.Column(i))
		return func(r int) string { return strings.Clone(get(r)) }
	}
	day := func(i int) func(int) time.Time {
		a := rec.Column(i).(*array.Date32)
		return func(r int) time.Time {
			if a.IsNull(r) {
				return time.Time{}
			}
			return a.Value(r).ToTime()
		}
	}
	id, imposing, typ, commodity, title := str(0), str(1), str(3), str(4), str(5)
	announced, effective, end := day(6), day(7), day(8)
	status, suspends, citation, unsourced, origin := str(9), str(10), str(11), str(12), str(14)
	targets := rec.Column(2).(*array.List)
	targetValues := etl.StringsOf(targets.ListValues())
	codes := rec.Column(13).(*array.List)
	codeValues := codes.ListValues().(*array.Struct)
	hs, rev := etl.StringsOf(codeValues.Field(0)), etl.StringsOf(codeValues.Field(1))
	lines := rec.Column(15).(*array.Int64)
	out := make([]Measure, rec.NumRows())
	for r := range out {
		m := Measure{ID: id(r), Imposing: imposing(r), Type: typ(r), Commodity: commodity(r), Title: title(r),
			Announced: announced(r), Effective: effective(r), End: end(r), Status: status(r), Suspends: suspends(r),
			Citation: citation(r), Unsourced: unsourced(r), Origin: origin(r), Line: int(lines.Value(r))}
		if targets.IsValid(r) {
			from, to := targets.ValueOffsets(r)
			m.Targets = make([]string, 0, to-from)
			for i := from; i < to; i++ {
				m.Targets = append(m.Targets, strings.Clone(targetValues(int(i))))
			}
		}
		if codes.IsNull(r) {
			return nil, fmt.Errorf("measure %s: no list of codes", m.ID)
		}
		from, to := codes.ValueOffsets(r)
		for i := from; i < to; i++ {
			m.Codes = append(m.Codes, Code{HS: strings.Clone(hs(int(i))), Revision: strings.Clone(rev(int(i)))})
		}
		out[r] = m
	}
	return out, nil
}
