package measures

import (
	"reflect"
	"testing"
)

// What a source writes to the Sink reads back as the measures it read,
// so the warehouse fingerprints them as before (Hash).
func TestBatchReadsBack(t *testing.T) {
	ms := Default()
	rec := Batch(ms)
	defer rec.Release()
	got, err := FromBatch(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ms) {
		t.Fatalf("%d measures read back, want %d", len(got), len(ms))
	}
	for i := range ms {
		if !reflect.DeepEqual(got[i], ms[i]) {
			t.Errorf("measure %s read back as\n%+v\nwant\n%+v", ms[i].ID, got[i], ms[i])
		}
		if got[i].Hash() != ms[i].Hash() {
			t.Errorf("measure %s: hash changed", ms[i].ID)
		}
	}
}
