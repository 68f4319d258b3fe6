package rowhash

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The group hash of a row, from Rows, is what Group gives for the group's
// values read back from the database; rows differing outside the group
// hash differently; a constant column hashes as its rows.
func TestRowsAndGroups(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "source", Type: arrow.BinaryTypes.String},
		{Name: "reporter", Type: arrow.BinaryTypes.String},
		{Name: "year", Type: arrow.PrimitiveTypes.Int32},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"baci", "baci", "baci"}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"USA", "USA", "a-long-reporter-name"}, nil)
	b.Field(2).(*array.Int32Builder).AppendValues([]int32{2022, 2022, 2022}, nil)
	b.Field(3).(*array.Float64Builder).AppendValues([]float64{1, 2, 1}, []bool{true, true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()

	gh := make([]uint64, 3)
	rh := Rows(rec, []int{0, 1, 2}, []int{3}, gh)
	for i, rep := range []string{"USA", "USA", "a-long-reporter-name"} {
		if want, ok := Group([]any{"baci", rep, int32(2022)}); !ok || gh[i] != want {
			t.Errorf("row %d: group hash %x, Group gives %x", i, gh[i], want)
		}
	}
	if gh[0] != gh[1] || rh[0] == rh[1] {
		t.Error("rows of one group with different values: group hashes differ or row hashes agree")
	}
	if v, null, ok := Constant(rec.Column(0)); !ok || null || v != "baci" {
		t.Errorf("Constant = %q %t %t", v, null, ok)
	}
	if _, _, ok := Constant(rec.Column(1)); ok {
		t.Error("a varying column is constant")
	}
}
