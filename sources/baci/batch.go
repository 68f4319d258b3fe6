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
	rep, par  []uint16 // 1 + index in the file's ISO3 list
	hs        []byte   // hsLen bytes a row
	comm      []uint8  // 0 is null, else 1 + index in slugs
	val       []float64
	valValid  []byte
	valNulls  int
	kg, qty   []float64
	qtyValid  []byte // shared by net_weight_kg, quantity and quantity_unit
	qtyNulls  int
	rows      []int64
	consts    map[constKey]arrow.Array // constant columns, shared by full batches
	slugBytes [][]byte
}

type constKey struct {
	s     string
	n     int
	null  bool
	isStr bool
}

func newBatchBuilder(size int) *batchBuilder {
	b := &batchBuilder{size: size, rep: make([]uint16, size), par: make([]uint16, size),
		comm: make([]uint8, size), consts: map[constKey]arrow.Array{}}
	for _, s := range etl.GroupSlugs() {
		b.slugBytes = append(b.slugBytes, []byte(s))
	}
	b.reset()
	return b
}

func (b *batchBuilder) reset() {
	b.n, b.valNulls, b.qtyNulls = 0, 0, 0
	b.days = make([]int32, b.size)
	b.hs = make([]byte, b.size*hsLen)
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
// file's ISO3 codes. The builder is reset for the next batch.
func (b *batchBuilder) record(iso [][]byte, revision, ref string) arrow.RecordBatch {
	n := b.n
	cols := []arrow.Array{
		b.constString("A", n, false),
		fixed(arrow.FixedWidthTypes.Date32, n, arrow.Int32Traits.CastToBytes(b.days[:n]), nil, 0),
		dictStrings(b.rep[:n], iso),
		dictStrings(b.par[:n], iso),
		b.constString(etl.FlowImport, n, false),
		fixedStrings(b.hs[:n*hsLen], hsLen, n),
		b.constString(revision, n, revision == ""),
		dictStrings8(b.comm[:n], b.slugBytes),
		fixed(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(b.val[:n]), b.valValid, b.valNulls),
		fixed(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(b.kg[:n]), b.qtyValid, b.qtyNulls),
		fixed(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(b.qty[:n]), b.qtyValid, b.qtyNulls),
		constStringMasked("t", n, b.qtyValid, b.qtyNulls),
		b.constFalse(n),
		b.constString(Kind, n, false),
		b.constString(ref, n, false),
		fixed(arrow.PrimitiveTypes.Int64, n, arrow.Int64Traits.CastToBytes(b.rows[:n]), nil, 0),
	}
	rec := array.NewRecordBatch(etl.TradeFlowsSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	b.reset()
	return rec
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

// fixedStrings is a string array whose values all have width w.
func fixedStrings(data []byte, w, n int) arrow.Array {
	offsets := make([]int32, n+1)
	for i := range offsets {
		offsets[i] = int32(i * w)
	}
	return stringArray(n, nil, 0, offsets, data)
}

// dictStrings expands indexes (1-based) into a string array of dict values.
func dictStrings(idx []uint16, dict [][]byte) arrow.Array {
	offsets := make([]int32, len(idx)+1)
	total := 0
	for i, k := range idx {
		total += len(dict[k-1])
		offsets[i+1] = int32(total)
	}
	data := make([]byte, 0, total)
	for _, k := range idx {
		data = append(data, dict[k-1]...)
	}
	return stringArray(len(idx), nil, 0, offsets, data)
}

// dictStrings8 is dictStrings with 0 meaning null.
func dictStrings8(idx []uint8, dict [][]byte) arrow.Array {
	n := len(idx)
	offsets := make([]int32, n+1)
	valid := make([]byte, bitutil.BytesForBits(int64(n)))
	total, nulls := 0, 0
	for i, k := range idx {
		if k == 0 {
			nulls++
		} else {
			total += len(dict[k-1])
			bitutil.SetBit(valid, i)
		}
		offsets[i+1] = int32(total)
	}
	data := make([]byte, 0, total)
	for _, k := range idx {
		if k != 0 {
			data = append(data, dict[k-1]...)
		}
	}
	return stringArray(n, valid, nulls, offsets, data)
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
