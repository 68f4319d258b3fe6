package etl

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// A string column of a canonical batch may come dictionary-encoded
// (integer indices into a small array of strings): a source that holds
// codes as numbers (BACI's countries and products) sends them so, and the
// loader then maps and hashes each distinct code once, not once a row.
// Readers go through StringsOf, which takes both forms.

// IsStringColumn reports whether t is a valid type for a canonical string
// column: utf8, or a dictionary of utf8 with integer indices.
func IsStringColumn(t arrow.DataType) bool {
	if t.ID() == arrow.STRING {
		return true
	}
	d, ok := t.(*arrow.DictionaryType)
	return ok && d.ValueType.ID() == arrow.STRING && arrow.IsInteger(d.IndexType.ID())
}

// CheckSchema reports how a batch schema differs from table t's
// canonical one: fields, names and types, string columns in either form.
func CheckSchema(t Table, got *arrow.Schema) error {
	want := SchemaOf(t)
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("source wrote a %s batch with %d columns, the canonical schema has %d", t, got.NumFields(), want.NumFields())
	}
	for i, w := range want.Fields() {
		g := got.Field(i)
		typeOK := arrow.TypeEqual(g.Type, w.Type) || (w.Type.ID() == arrow.STRING && IsStringColumn(g.Type))
		if g.Name != w.Name || !typeOK {
			return fmt.Errorf("source wrote a %s batch whose column %d is %s %s, the canonical schema has %s %s",
				t, i+1, g.Name, g.Type, w.Name, w.Type)
		}
	}
	return nil
}

// StringsOf returns the value at row i of a string column in either
// form; a null reads as "". The strings may point into the batch's
// buffers: clone one that must outlive it.
func StringsOf(a arrow.Array) func(i int) string {
	switch a := a.(type) {
	case *array.String:
		return a.Value
	case *array.Dictionary:
		dict := a.Dictionary().(*array.String)
		return func(i int) string {
			if a.IsNull(i) {
				return ""
			}
			return dict.Value(a.GetValueIndex(i))
		}
	}
	panic("etl: not a string column: " + a.DataType().String())
}

// DictIndices returns the indices of a dictionary column as int32 values,
// without a per-row type switch when they are stored as int32.
func DictIndices(d *array.Dictionary) []int32 {
	if ix, ok := d.Indices().(*array.Int32); ok {
		return ix.Int32Values()
	}
	out := make([]int32, d.Len())
	for i := range out {
		if d.IsValid(i) {
			out[i] = int32(d.GetValueIndex(i))
		}
	}
	return out
}
