package etl

import (
	"context"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TradeFlow is one row of trade_flows as a Go value. Row-at-a-time sources
// use it with a TradeFlowWriter; bulk sources may build Arrow arrays directly.
type TradeFlow struct {
	Freq         string
	Period       time.Time
	Reporter     string
	Partner      string
	Flow         string
	HSCode       string
	HSRevision   string // '' = null
	Commodity    string // '' = null; filled from the HS code when empty
	ValueUSD     *float64
	NetWeightKg  *float64
	Quantity     *float64
	QuantityUnit string // '' = null
	IsAggregate  bool
	Source       string
	Ref          string
	Row          int64
}

// MineralStat is one row of mineral_statistics as a Go value.
type MineralStat struct {
	Edition   string
	Commodity string
	Year      int
	Country   string
	Measure   string
	Product   string
	Value     *float64
	Unit      string
	Qualifier string // '' = null
	Source    string
	Ref       string
	Row       int64
	Column    string
}

// F returns a pointer to v, for optional numbers.
func F(v float64) *float64 { return &v }

// Check validates a trade flow against the canonical rules and returns the
// column at fault and why, or "" when the row is good.
func (t *TradeFlow) Check() (column, reason string) {
	switch {
	case t.Freq != "A" && t.Freq != "M":
		return "freq", fmt.Sprintf("frequency %q is neither A nor M", t.Freq)
	case t.Period.IsZero():
		return "period", "missing period"
	case t.Reporter == "":
		return "reporter_iso3", "missing reporter"
	case !KnownISO3(t.Reporter) || t.Reporter == WorldISO3:
		return "reporter_iso3", fmt.Sprintf("unknown reporter country %q", t.Reporter)
	case t.Partner == "":
		return "partner_iso3", "missing partner"
	case !KnownISO3(t.Partner):
		return "partner_iso3", fmt.Sprintf("unknown partner country %q", t.Partner)
	case t.Flow != FlowImport && t.Flow != FlowExport && t.Flow != FlowReImport && t.Flow != FlowReExport:
		return "flow", fmt.Sprintf("unknown flow %q", t.Flow)
	case !ValidHSCode(t.HSCode) && t.HSCode != TotalCode:
		return "hs_code", fmt.Sprintf("HS code %q is not 2 to 10 digits", t.HSCode)
	case !utf8.ValidString(t.HSRevision):
		return "hs_revision", fmt.Sprintf("HS revision %q is not valid UTF-8", t.HSRevision)
	case !utf8.ValidString(t.QuantityUnit):
		return "quantity_unit", fmt.Sprintf("quantity unit %q is not valid UTF-8", t.QuantityUnit)
	case !utf8.ValidString(t.Commodity):
		return "commodity", fmt.Sprintf("commodity %q is not valid UTF-8", t.Commodity)
	case !finite(t.ValueUSD):
		return "value_usd", fmt.Sprintf("value %v is not a finite number", *t.ValueUSD)
	case !finite(t.NetWeightKg):
		return "net_weight_kg", fmt.Sprintf("net weight %v is not a finite number", *t.NetWeightKg)
	case !finite(t.Quantity):
		return "quantity", fmt.Sprintf("quantity %v is not a finite number", *t.Quantity)
	case t.ValueUSD != nil && *t.ValueUSD < 0:
		return "value_usd", fmt.Sprintf("negative value %v", *t.ValueUSD)
	case t.NetWeightKg != nil && *t.NetWeightKg < 0:
		return "net_weight_kg", fmt.Sprintf("negative net weight %v", *t.NetWeightKg)
	case t.Quantity != nil && *t.Quantity < 0:
		return "quantity", fmt.Sprintf("negative quantity %v", *t.Quantity)
	}
	return "", ""
}

// Check validates a mineral statistic.
func (m *MineralStat) Check() (column, reason string) {
	switch {
	case m.Edition == "":
		return "edition", "missing edition"
	case m.Commodity == "":
		return "commodity", "missing commodity"
	case m.Year < 1800 || m.Year > 2200:
		return "year", fmt.Sprintf("year %d out of range", m.Year)
	case !KnownISO3(m.Country):
		return "country_iso3", fmt.Sprintf("unknown country %q", m.Country)
	case m.Measure == "":
		return "measure", "missing measure"
	case m.Unit == "":
		return "unit", "missing unit"
	case m.Value == nil && m.Qualifier == "":
		return "value", "missing value without a qualifier"
	case !utf8.ValidString(m.Edition + m.Commodity + m.Measure + m.Product + m.Unit + m.Qualifier + m.Column):
		return "value", "a text field is not valid UTF-8: " + EscapeInvalidUTF8(fmt.Sprintf("%s %s %s %s %s %s", m.Edition, m.Commodity, m.Measure, m.Product, m.Unit, m.Qualifier))
	case !finite(m.Value):
		return "value", fmt.Sprintf("value %v is not a finite number", *m.Value)
	}
	return "", ""
}

// finite reports whether an optional number is null or finite: NaN and
// infinities are never figures, whatever a parser let through.
func finite(v *float64) bool {
	return v == nil || (!math.IsNaN(*v) && !math.IsInf(*v, 0))
}

// batchWriter buffers rows of one table in Arrow builders and writes them
// to the sink batchRows at a time.
type batchWriter struct {
	table     Table
	sink      Sink
	batchRows int
	b         *array.RecordBuilder
	n         int
	Written   int64
	Rejected  int64
}

func newBatchWriter(t Table, sink Sink, batchRows int) batchWriter {
	if batchRows <= 0 {
		batchRows = DefaultBatchRows
	}
	return batchWriter{table: t, sink: sink, batchRows: batchRows,
		b: array.NewRecordBuilder(memory.DefaultAllocator, SchemaOf(t))}
}

// appended counts a row and flushes a full batch.
func (w *batchWriter) appended(ctx context.Context) error {
	w.n++
	if w.n >= w.batchRows {
		return w.Flush(ctx)
	}
	return nil
}

// Flush writes the buffered rows as one batch.
func (w *batchWriter) Flush(ctx context.Context) error {
	if w.n == 0 {
		return nil
	}
	rec := w.b.NewRecordBatch()
	defer rec.Release()
	w.Written += int64(w.n)
	w.n = 0
	return w.sink.Write(ctx, w.table, rec)
}

// Close flushes and releases the builders.
func (w *batchWriter) Close(ctx context.Context) error {
	err := w.Flush(ctx)
	w.b.Release()
	return err
}

// TradeFlowWriter validates trade flows, rejects bad ones to the sink and
// writes the good ones as Arrow batches of BatchRows rows.
type TradeFlowWriter struct{ batchWriter }

// NewTradeFlowWriter returns a writer to sink; batchRows <= 0 means the default.
func NewTradeFlowWriter(sink Sink, batchRows int) *TradeFlowWriter {
	return &TradeFlowWriter{newBatchWriter(TradeFlows, sink, batchRows)}
}

// Add validates t and appends it, or rejects it with its column and reason.
func (w *TradeFlowWriter) Add(ctx context.Context, t TradeFlow) error {
	if t.Commodity == "" {
		t.Commodity = CommodityOf(t.HSCode)
	}
	if col, why := t.Check(); col != "" {
		w.Rejected++
		return w.sink.Reject(ctx, Rejection{Table: TradeFlows, Source: t.Source, Ref: t.Ref, Row: t.Row,
			Column: col, Reason: why, Raw: EscapeInvalidUTF8(fmt.Sprintf("%+v", t.raw()))})
	}
	b := w.b
	b.Field(0).(*array.StringBuilder).Append(t.Freq)
	b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(t.Period))
	b.Field(2).(*array.StringBuilder).Append(t.Reporter)
	b.Field(3).(*array.StringBuilder).Append(t.Partner)
	b.Field(4).(*array.StringBuilder).Append(t.Flow)
	b.Field(5).(*array.StringBuilder).Append(t.HSCode)
	appendStr(b.Field(6), t.HSRevision)
	appendStr(b.Field(7), t.Commodity)
	appendF64(b.Field(8), t.ValueUSD)
	appendF64(b.Field(9), t.NetWeightKg)
	appendF64(b.Field(10), t.Quantity)
	appendStr(b.Field(11), t.QuantityUnit)
	b.Field(12).(*array.BooleanBuilder).Append(t.IsAggregate)
	b.Field(13).(*array.StringBuilder).Append(t.Source)
	b.Field(14).(*array.StringBuilder).Append(t.Ref)
	b.Field(15).(*array.Int64Builder).Append(t.Row)
	return w.appended(ctx)
}

// raw is a compact view of a flow for the rejected_rows table.
func (t TradeFlow) raw() map[string]any {
	m := map[string]any{"freq": t.Freq, "reporter": t.Reporter, "partner": t.Partner, "flow": t.Flow, "hs_code": t.HSCode}
	if !t.Period.IsZero() {
		m["period"] = t.Period.Format("2006-01-02")
	}
	if t.ValueUSD != nil {
		m["value_usd"] = *t.ValueUSD
	}
	return m
}

// MineralStatWriter is the TradeFlowWriter of mineral_statistics.
type MineralStatWriter struct{ batchWriter }

// NewMineralStatWriter returns a writer to sink.
func NewMineralStatWriter(sink Sink, batchRows int) *MineralStatWriter {
	return &MineralStatWriter{newBatchWriter(MineralStatistics, sink, batchRows)}
}

// Add validates m and appends it, or rejects it.
func (w *MineralStatWriter) Add(ctx context.Context, m MineralStat) error {
	if col, why := m.Check(); col != "" {
		w.Rejected++
		raw := m.Column
		if m.Value != nil {
			raw = fmt.Sprintf("%s=%v", m.Column, *m.Value)
		}
		if col == "value" || col == "unit" || col == "measure" {
			col = m.Column // the file's own column name locates the cell
		}
		return w.sink.Reject(ctx, Rejection{Table: MineralStatistics, Source: m.Source, Ref: m.Ref, Row: m.Row,
			Column: EscapeInvalidUTF8(col), Reason: why, Raw: EscapeInvalidUTF8(raw)})
	}
	b := w.b
	b.Field(0).(*array.StringBuilder).Append(m.Edition)
	b.Field(1).(*array.StringBuilder).Append(m.Commodity)
	b.Field(2).(*array.Int32Builder).Append(int32(m.Year))
	b.Field(3).(*array.StringBuilder).Append(m.Country)
	b.Field(4).(*array.StringBuilder).Append(m.Measure)
	b.Field(5).(*array.StringBuilder).Append(m.Product)
	appendF64(b.Field(6), m.Value)
	b.Field(7).(*array.StringBuilder).Append(m.Unit)
	appendStr(b.Field(8), m.Qualifier)
	b.Field(9).(*array.StringBuilder).Append(m.Source)
	b.Field(10).(*array.StringBuilder).Append(m.Ref)
	b.Field(11).(*array.Int64Builder).Append(m.Row)
	b.Field(12).(*array.StringBuilder).Append(m.Column)
	return w.appended(ctx)
}

func appendStr(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s)
}

func appendF64(b array.Builder, v *float64) {
	if v == nil {
		b.AppendNull()
		return
	}
	// + 0 turns -0 into 0: a figure written "-0" is no different from 0, and
	// would print as -0
	b.(*array.Float64Builder).Append(*v + 0)
}
