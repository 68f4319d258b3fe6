package baci

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/arrowmem"
)

// hsLen is the length of every product code BACI carries (HS6).
const hsLen = 6

// batchBuilder collects rows as plain slices and turns them into an Arrow
// record of etl.TradeFlowsSchema without per-value builders. Each batch
// gets fresh buffers from arrowmem.Pool (the loader may hold a batch while the
// next is parsed); they go back to the pool when the batch is released.
type batchBuilder struct {
	size int
	n    int
	bufs map[*byte]*memory.Buffer // this batch's buffers, by their first byte

	days      []int32
	rep, par  []int32 // index in the file's ISO3 list
	prod      []int32 // product number (productTable)
	comm      []int32 // index in slugs
	commValid []byte
	commNulls int
	val       []float64
	valValid  []byte
	valNulls  int
	kg, qty   []float64
	qtyValid  []byte // shared by net_weight_kg, quantity and quantity_unit
	qtyNulls  int
	rows      []int64
	consts    map[constKey]arrow.Array // constant columns, shared by full batches
	slugs     arrow.Array              // the commodity groups' slugs
	zeros     *memory.Buffer           // int32 zeros: the indices of one-value columns
}

type constKey struct {
	s     string
	n     int
	null  bool
	isStr bool
}

func newBatchBuilder(size int) *batchBuilder {
	b := &batchBuilder{size: size, consts: map[constKey]arrow.Array{}}
	b.slugs = stringDict(etl.GroupSlugs())
	b.reset()
	return b
}

func (b *batchBuilder) reset() {
	b.n, b.valNulls, b.qtyNulls, b.commNulls = 0, 0, 0, 0
	b.releaseBufs()
	n := b.size
	b.days = arrow.Int32Traits.CastFromBytes(b.alloc(4 * n))
	b.rep, b.par = arrow.Int32Traits.CastFromBytes(b.alloc(4*n)), arrow.Int32Traits.CastFromBytes(b.alloc(4*n))
	b.prod, b.comm = arrow.Int32Traits.CastFromBytes(b.alloc(4*n)), arrow.Int32Traits.CastFromBytes(b.alloc(4*n))
	b.val = arrow.Float64Traits.CastFromBytes(b.alloc(8 * n))
	b.kg, b.qty = arrow.Float64Traits.CastFromBytes(b.alloc(8*n)), arrow.Float64Traits.CastFromBytes(b.alloc(8*n))
	b.rows = arrow.Int64Traits.CastFromBytes(b.alloc(8 * n))
	bitmap := int(bitutil.BytesForBits(int64(n)))
	b.commValid, b.valValid, b.qtyValid = b.alloc(bitmap), b.alloc(bitmap), b.alloc(bitmap)
	clear(b.commValid) // pooled memory comes back dirty
	clear(b.valValid)
	clear(b.qtyValid)
}

// alloc takes a buffer of n bytes from the pool for this batch.
func (b *batchBuilder) alloc(n int) []byte {
	buf := arrowmem.PooledBuffer(n)
	if b.bufs == nil {
		b.bufs = map[*byte]*memory.Buffer{}
	}
	b.bufs[&buf.Bytes()[0]] = buf
	return buf.Bytes()
}

// buf is the pooled buffer behind a slice alloc returned.
func (b *batchBuilder) buf(data []byte) *memory.Buffer { return b.bufs[&data[:1][0]] }

// releaseBufs drops the builder's references: buffers a batch's arrays
// hold live on with them, the others go back to the pool.
func (b *batchBuilder) releaseBufs() {
	for _, buf := range b.bufs {
		buf.Release()
	}
	clear(b.bufs)
}

func (b *batchBuilder) full() bool { return b.n == b.size }

// release drops the cached constant columns and the batch's buffers.
func (b *batchBuilder) release() {
	b.releaseBufs()
	for _, a := range b.consts {
		a.Release()
	}
	b.consts = map[constKey]arrow.Array{}
}

// record builds the batch from the n rows collected; countries are the
// file's ISO3 codes. Countries, products and commodity groups go out
// dictionary-encoded (see etl.StringsOf): the loader maps each code once.
// The builder is reset for the next batch.
func (b *batchBuilder) record(iso [][]byte, products *productTable, revision, ref string) arrow.RecordBatch {
	n := b.n
	countries := stringDict(isoStrings(iso))
	defer countries.Release()
	i32 := func(v []int32) *memory.Buffer { return b.buf(arrow.Int32Traits.CastToBytes(v)) }
	f64 := func(v []float64) *memory.Buffer { return b.buf(arrow.Float64Traits.CastToBytes(v)) }
	cols := []arrow.Array{
		b.constString("A", n, false),
		pooled(arrow.FixedWidthTypes.Date32, n, i32(b.days), nil, 0),
		dictArray(n, i32(b.rep), nil, 0, countries),
		dictArray(n, i32(b.par), nil, 0, countries),
		b.constString(etl.FlowImport, n, false),
		dictArray(n, i32(b.prod), nil, 0, products.dictionary()),
		b.constString(revision, n, revision == ""),
		dictArray(n, i32(b.comm), b.buf(b.commValid), b.commNulls, b.slugs),
		pooled(arrow.PrimitiveTypes.Float64, n, f64(b.val), b.buf(b.valValid), b.valNulls),
		pooled(arrow.PrimitiveTypes.Float64, n, f64(b.kg), b.buf(b.qtyValid), b.qtyNulls),
		pooled(arrow.PrimitiveTypes.Float64, n, f64(b.qty), b.buf(b.qtyValid), b.qtyNulls),
		b.oneValue("t", n, b.buf(b.qtyValid), b.qtyNulls),
		b.constFalse(n),
		b.constString(Kind, n, false),
		b.constString(ref, n, false),
		pooled(arrow.PrimitiveTypes.Int64, n, b.buf(arrow.Int64Traits.CastToBytes(b.rows)), nil, 0),
	}
	rec := array.NewRecordBatch(batchSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	b.reset()
	return rec
}

// dictType is how the coded columns go out.
var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// batchSchema is etl.TradeFlowsSchema with the coded columns as dictionaries.
var batchSchema = func() *arrow.Schema {
	fields := etl.TradeFlowsSchema.Fields()
	for i, f := range fields {
		switch f.Name {
		case "freq", "reporter_iso3", "partner_iso3", "flow", "hs_code", "hs_revision", "commodity", "quantity_unit",
			"source", "source_ref":
			fields[i].Type = dictType
		}
	}
	return arrow.NewSchema(fields, nil)
}()

// dictArray wraps n indices (and an optional validity bitmap) into dict.
func dictArray(n int, idx, valid *memory.Buffer, nulls int, dict arrow.Array) arrow.Array {
	ix := pooled(arrow.PrimitiveTypes.Int32, n, idx, valid, nulls)
	defer ix.Release()
	return array.NewDictionaryArray(dictType, ix, dict)
}

// pooled makes an array of n values of a pooled buffer (and validity).
func pooled(t arrow.DataType, n int, data, valid *memory.Buffer, nulls int) arrow.Array {
	if nulls == 0 {
		valid = nil
	}
	d := array.NewData(t, n, []*memory.Buffer{valid, data}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// stringDict is a string array of vals, for a dictionary.
func stringDict(vals []string) arrow.Array {
	offsets := make([]int32, len(vals)+1)
	var data []byte
	for i, v := range vals {
		data = append(data, v...)
		offsets[i+1] = int32(len(data))
	}
	return stringArray(len(vals), nil, 0, offsets, data)
}

func isoStrings(iso [][]byte) []string {
	out := make([]string, len(iso))
	for i, b := range iso {
		out[i] = string(b)
	}
	return out
}

// fixed wraps a fixed-width buffer (and optional validity bitmap) as an array.
func fixed(t arrow.DataType, n int, data, valid []byte, nulls int) arrow.Array {
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(valid)
	}
	d := array.NewData(t, n, []*memory.Buffer{vb, memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

func stringArray(n int, valid []byte, nulls int, offsets []int32, data []byte) arrow.Array {
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(valid)
	}
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{vb,
		memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// constString is a column of n copies of s (or n nulls): a dictionary of
// that one value, which readers see as constant without comparing rows.
// Cached: a full batch always has the same ones, and Arrow arrays are
// immutable.
func (b *batchBuilder) constString(s string, n int, null bool) arrow.Array {
	k := constKey{s: s, n: n, null: null, isStr: true}
	if a, ok := b.consts[k]; ok {
		a.Retain()
		return a
	}
	var valid *memory.Buffer
	nulls := 0
	if null {
		valid, nulls = memory.NewBufferBytes(make([]byte, bitutil.BytesForBits(int64(n)))), n
	}
	a := b.oneValue(s, n, valid, nulls)
	b.cache(k, a, n)
	return a
}

// oneValue is a dictionary column of the single value s, null where
// valid (if any) says so.
func (b *batchBuilder) oneValue(s string, n int, valid *memory.Buffer, nulls int) arrow.Array {
	dict := stringDict([]string{s})
	defer dict.Release()
	if b.zeros == nil || b.zeros.Len() < 4*n {
		b.zeros = memory.NewBufferBytes(make([]byte, 4*max(n, b.size)))
	}
	return dictArray(n, b.zeros, valid, nulls, dict)
}

// constFalse is a boolean column of n false values.
func (b *batchBuilder) constFalse(n int) arrow.Array {
	k := constKey{n: n}
	if a, ok := b.consts[k]; ok {
		a.Retain()
		return a
	}
	a := fixed(arrow.FixedWidthTypes.Boolean, n, make([]byte, bitutil.BytesForBits(int64(n))), nil, 0)
	b.cache(k, a, n)
	return a
}

// cache keeps full-batch columns only: partial batches happen once a file.
func (b *batchBuilder) cache(k constKey, a arrow.Array, n int) {
	if n == b.size {
		a.Retain()
		b.consts[k] = a
	}
}
