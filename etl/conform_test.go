package etl

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestStringColumnForms(t *testing.T) {
	mem := memory.DefaultAllocator
	plain := array.NewStringBuilder(mem)
	plain.AppendValues([]string{"USA", "", "CHN"}, []bool{true, false, true})
	pa := plain.NewArray()
	defer pa.Release()

	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
	for _, v := range []string{"USA", "", "CHN"} {
		if v == "" {
			db.AppendNull()
		} else if err := db.AppendString(v); err != nil {
			t.Fatal(err)
		}
	}
	da := db.NewArray()
	defer da.Release()

	for _, a := range []arrow.Array{pa, da} {
		at := StringsOf(a)
		for i, want := range []string{"USA", "", "CHN"} {
			if got := at(i); got != want {
				t.Errorf("%s row %d: got %q, want %q", a.DataType(), i, got, want)
			}
		}
	}

	cases := []struct {
		typ  arrow.DataType
		want bool
	}{
		{arrow.BinaryTypes.String, true},
		{dt, true},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.Binary}, false},
		{arrow.PrimitiveTypes.Int32, false},
	}
	for _, c := range cases {
		if got := IsStringColumn(c.typ); got != c.want {
			t.Errorf("IsStringColumn(%s) = %t, want %t", c.typ, got, c.want)
		}
	}
	fields := TradeFlowsSchema.Fields()
	fields[2].Type = dt
	if err := CheckSchema(TradeFlows, arrow.NewSchema(fields, nil)); err != nil {
		t.Errorf("a dictionary-encoded reporter column: %v", err)
	}
	fields[1].Type = arrow.BinaryTypes.String
	if err := CheckSchema(TradeFlows, arrow.NewSchema(fields, nil)); err == nil {
		t.Error("a string period column conforms")
	}
}
