package baci

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
)

// hsLen is the length of every product code BACI carries (HS6).
const hsLen = 6

// batchBuilder collects rows as plain slices and turns them into an Arrow
// record of etl.TradeFlowsSchema without per-value builders. The slices
// handed to Arrow are allocated afresh for each batch (the loader may hold
// a batch while the next is parsed); the index slices are reused.
type batchBuilder struct {
	size int
	n    int

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
	b.days = make([]int32, b.size)
	b.rep, b.par, b.prod = make([]int32, b.size), make([]int32, b.size), make([]int32, b.size)
	b.comm = make([]int32, b.size)
	b.commValid = make([]byte, bitutil.BytesForBits(int64(b.size)))
	b.val = make([]float64, b.size)
	b.valValid = make([]byte, bitutil.BytesForBits(int64(b.size)))
	b.kg = make([]float64, b.size)
	b.qty = make([]float64, b.size)
	b.qtyValid = make([]byte, bitutil.BytesForBits(int64(b.size)))
	b.rows = make([]int64, b.size)
}

func (b *batchBuilder) full() bool { return b.n == b.size }

// release drops the cached constant columns.
func (b *batchBuilder) release() {
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
	cols := []arrow.Array{
		b.constString("A", n, false),
		fixed(arrow.FixedWidthTypes.Date32, n, arrow.Int32Traits.CastToBytes(b.days[:n]), nil, 0),
		dictArray(b.rep[:n], nil, 0, countries),
		dictArray(b.par[:n], nil, 0, countries),
		b.constString(etl.FlowImport, n, false),
		dictArray(b.prod[:n], nil, 0, products.dictionary()),
		b.constString(revision, n, revision == ""),
		dictArray(b.comm[:n], b.commValid, b.commNulls, b.slugs),
		fixed(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(b.val[:n]), b.valValid, b.valNulls),
		fixed(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(b.kg[:n]), b.qtyValid, b.qtyNulls),
		fixed(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(b.qty[:n]), b.qtyValid, b.qtyNulls),
		constStringMasked("t", n, b.qtyValid, b.qtyNulls),
		b.constFalse(n),
		b.constString(Kind, n, false),
		b.constString(ref, n, false),
		fixed(arrow.PrimitiveTypes.Int64, n, arrow.Int64Traits.CastToBytes(b.rows[:n]), nil, 0),
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
		case "reporter_iso3", "partner_iso3", "hs_code", "commodity":
			fields[i].Type = dictType
		}
	}
	return arrow.NewSchema(fields, nil)
}()

// dictArray wraps indices (and an optional validity bitmap) into dict.
func dictArray(idx []int32, valid []byte, nulls int, dict arrow.Array) arrow.Array {
	ix := fixed(arrow.PrimitiveTypes.Int32, len(idx), arrow.Int32Traits.CastToBytes(idx), valid, nulls)
	defer ix.Release()
	return array.NewDictionaryArray(dictType, ix, dict)
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

// constStringMasked repeats s where valid is set and is null elsewhere.
func constStringMasked(s string, n int, valid []byte, nulls int) arrow.Array {
	offsets := make([]int32, n+1)
	data := make([]byte, 0, len(s)*(n-nulls))
	for i := 0; i < n; i++ {
		if nulls == 0 || bitutil.BitIsSet(valid, i) {
			data = append(data, s...)
		}
		offsets[i+1] = int32(len(data))
	}
	return stringArray(n, valid, nulls, offsets, data)
}

// constString is a column of n copies of s (or n nulls), cached: a full
// batch always has the same ones, and Arrow arrays are immutable.
func (b *batchBuilder) constString(s string, n int, null bool) arrow.Array {
	k := constKey{s: s, n: n, null: null, isStr: true}
	if a, ok := b.consts[k]; ok {
		a.Retain()
		return a
	}
	offsets := make([]int32, n+1)
	var data, valid []byte
	nulls := 0
	if null {
		valid, nulls = make([]byte, bitutil.BytesForBits(int64(n))), n
	} else {
		data = bytes.Repeat([]byte(s), n)
		for i := range offsets {
			offsets[i] = int32(i * len(s))
		}
	}
	a := stringArray(n, valid, nulls, offsets, data)
	b.cache(k, a, n)
	return a
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
