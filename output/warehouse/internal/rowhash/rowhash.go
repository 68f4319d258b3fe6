// Package rowhash computes the row hashes of canonical batches: a 64-bit
// hash of a row's natural key and values (never its provenance), with the
// group columns hashed first so the running state after them is the
// row's group hash. Callers give column positions and get hashes back.
package rowhash

import (
	"bytes"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/zeebo/xxh3"

	"github.com/tradewh/tradewh/etl"
)

// Row hashes cover a row's natural key and values (never its provenance:
// source_ref, source_row, run, validity), so the same fact read again
// from another file or row hashes the same. The group columns are hashed
// first: the state after them is the row's group hash.

// nullValue stands for a null in the hash of a column.
const nullValue = 0x9ae16a3b2f90404f

// Mix folds one column's value into a row's running hash.
func Mix(h, v uint64) uint64 {
	return bits.RotateLeft64((h^v)*0x9e3779b97f4a7c15, 31) * 0xc2b2ae3d27d4eb4f
}

// Finish spreads a running hash's bits (murmur3's finaliser) so sums of
// row hashes fingerprint sets of rows.
func Finish(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

const Seed = 0x243f6a8885a308d3

// Rows returns the row hash of every row of rec, whose group columns are
// at positions group and the rest of its key and values at rest, and,
// when gh is not nil, fills it with the group hashes.
func Rows(rec arrow.RecordBatch, group, rest []int, gh []uint64) []uint64 {
	// Leading columns the whole batch shares (source, freq, often the
	// period) fold into the seed once instead of once a row.
	h0 := uint64(Seed)
	for len(group) > 0 {
		v, ok := ConstantHash(rec.Column(group[0]))
		if !ok {
			break
		}
		h0, group = Mix(h0, v), group[1:]
	}
	h := make([]uint64, rec.NumRows())
	for i := range h {
		h[i] = h0
	}
	for _, c := range group {
		mixColumn(h, rec.Column(c))
	}
	if gh != nil {
		for i, v := range h {
			gh[i] = Finish(v)
		}
	}
	for _, c := range rest {
		mixColumn(h, rec.Column(c))
	}
	for i, v := range h {
		h[i] = Finish(v)
	}
	return h
}

// mixColumn folds every value of a column into h. Strings repeat from
// row to row (codes, units, names), so a value equal to the previous
// row's reuses its hash.
func mixColumn(h []uint64, a arrow.Array) {
	nulls := a.NullN() > 0
	switch a := a.(type) {
	case *array.Dictionary:
		if v, null, ok := Constant(a); ok {
			mixConstant(h, v, null)
			return
		}
		// Each distinct string is hashed once, each row is an index.
		dict := a.Dictionary().(*array.String)
		byIndex := make([]uint64, dict.Len())
		for k := range byIndex {
			byIndex[k] = Str(dict.Value(k))
		}
		ix := etl.DictIndices(a)
		for i := range h {
			if nulls && a.IsNull(i) {
				h[i] = Mix(h[i], nullValue)
			} else {
				h[i] = Mix(h[i], byIndex[ix[i]])
			}
		}
	case *array.String:
		if v, null, ok := Constant(a); ok {
			mixConstant(h, v, null)
			return
		}
		var prev string
		var ph uint64
		for i := range h {
			if nulls && a.IsNull(i) {
				h[i] = Mix(h[i], nullValue)
				continue
			}
			// A short code's hash is its bytes: cheaper than comparing.
			switch s := a.Value(i); {
			case len(s) < 8:
				ph = Str(s)
			case i == 0 || s != prev:
				prev, ph = s, Str(s)
			}
			h[i] = Mix(h[i], ph)
		}
	case *array.Date32:
		vs := a.Date32Values()
		for i := range h {
			h[i] = Mix(h[i], fixedValue(nulls && a.IsNull(i), uint64(uint32(vs[i]))))
		}
	case *array.Int32:
		vs := a.Int32Values()
		for i := range h {
			h[i] = Mix(h[i], fixedValue(nulls && a.IsNull(i), uint64(uint32(vs[i]))))
		}
	case *array.Int64:
		vs := a.Int64Values()
		for i := range h {
			h[i] = Mix(h[i], fixedValue(nulls && a.IsNull(i), uint64(vs[i])))
		}
	case *array.Float64:
		vs := a.Float64Values()
		for i := range h {
			h[i] = Mix(h[i], fixedValue(nulls && a.IsNull(i), math.Float64bits(vs[i])))
		}
	case *array.Boolean:
		for i := range h {
			v := uint64(0)
			if a.Value(i) {
				v = 1
			}
			h[i] = Mix(h[i], fixedValue(nulls && a.IsNull(i), v))
		}
	default:
		panic("rowhash: no row hash for " + a.DataType().String()) // canonical schemas only use the above
	}
}

// ConstantHash is the value in a row hash of a column whose rows are all
// equal, false when they are not (or the check is not worth it).
func ConstantHash(a arrow.Array) (uint64, bool) {
	switch a := a.(type) {
	case *array.String, *array.Dictionary:
		v, null, ok := Constant(a)
		if !ok {
			return 0, false
		}
		if null {
			return nullValue, true
		}
		return Str(v), true
	case *array.Date32:
		vs := a.Date32Values()
		if a.NullN() > 0 || len(vs) == 0 {
			return 0, false
		}
		for _, v := range vs {
			if v != vs[0] {
				return 0, false
			}
		}
		return uint64(uint32(vs[0])), true
	}
	return 0, false
}

// mixConstant folds one string (or null) into every row of h.
func mixConstant(h []uint64, v string, null bool) {
	c := uint64(nullValue)
	if !null {
		c = Str(v)
	}
	for i := range h {
		h[i] = Mix(h[i], c)
	}
}

// Str is a string's value in a row hash: codes (ISO3, HS, flags) of
// up to 7 bytes are their bytes and length, longer strings their xxh3.
func Str(s string) uint64 {
	if len(s) >= 8 {
		return xxh3.HashString(s)
	}
	v := uint64(len(s)) << 56
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return v
}

func fixedValue(null bool, v uint64) uint64 {
	if null {
		return nullValue
	}
	return v
}

// Group is the group hash of a group read back from history, with
// the values database/sql scans: the same as hashRows gives its rows.
func Group(vals []any) (uint64, bool) {
	h := uint64(Seed)
	for _, v := range vals {
		switch v := v.(type) {
		case string:
			h = Mix(h, Str(v))
		case int32:
			h = Mix(h, uint64(uint32(v)))
		case interface{ Unix() int64 }: // a DATE
			h = Mix(h, uint64(uint32(int32(v.Unix()/86400))))
		default:
			return 0, false
		}
	}
	return Finish(h), true
}

// Constant reports whether every value of a string column (in either
// form) is the same, and which; a single-entry dictionary says so at once.
func Constant(col arrow.Array) (v string, null, ok bool) {
	n := col.Len()
	switch col.NullN() {
	case n:
		return "", true, true
	case 0:
	default:
		return "", false, false
	}
	switch a := col.(type) {
	case *array.Dictionary:
		dict := a.Dictionary().(*array.String)
		ix := etl.DictIndices(a)
		if dict.Len() > 1 {
			for _, k := range ix {
				if k != ix[0] {
					return "", false, false
				}
			}
		}
		return dict.Value(int(ix[0])), false, true
	case *array.String:
		offs := a.ValueOffsets()
		l := offs[1] - offs[0]
		for i := 1; i <= n; i++ {
			if offs[i]-offs[i-1] != l {
				return "", false, false
			}
		}
		// Equal lengths and the bytes equal to themselves shifted by one
		// value: every value is the first.
		data := a.ValueBytes()
		if l > 0 && !bytes.Equal(data[l:], data[:len(data)-int(l)]) {
			return "", false, false
		}
		return a.Value(0), false, true
	}
	return "", false, false
}
