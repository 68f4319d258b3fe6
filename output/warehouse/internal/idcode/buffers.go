package idcode

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/internal/arrowmem"
)

// pooledInt32s is a cleared pooled buffer of n int32 values.
func pooledInt32s(n int) (*memory.Buffer, []int32) {
	b := arrowmem.PooledBuffer(4 * max(n, 1))
	ids := arrow.Int32Traits.CastFromBytes(b.Bytes())[:n]
	clear(ids) // pooled memory comes back dirty
	return b, ids
}

// pooledBitmap is a cleared pooled validity bitmap of n bits.
func pooledBitmap(n int) (*memory.Buffer, []byte) {
	b := arrowmem.PooledBuffer(int(max(bitutil.BytesForBits(int64(n)), 1)))
	clear(b.Bytes())
	return b, b.Bytes()
}

// int32Array makes an array of n ids in buf with the validity of like;
// it takes over the reference to buf.
func int32Array(buf *memory.Buffer, n int, like arrow.Array) arrow.Array {
	if like.NullN() == 0 {
		defer buf.Release()
		d := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	vbuf, valid := pooledBitmap(n)
	for i := range n {
		if like.IsValid(i) {
			bitutil.SetBit(valid, i)
		}
	}
	return int32ArrayValid(buf, vbuf, n)
}

// int32ArrayValid makes an array of n ids with validity; it takes over
// the references to both buffers.
func int32ArrayValid(buf, valid *memory.Buffer, n int) arrow.Array {
	defer buf.Release()
	defer valid.Release()
	d := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{valid, buf}, nil, array.UnknownNullCount, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// FixedArray wraps a fixed-width buffer without nulls as an array.
func FixedArray(t arrow.DataType, n int, data []byte) arrow.Array {
	d := array.NewData(t, n, []*memory.Buffer{nil, memory.NewBufferBytes(data)}, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}
