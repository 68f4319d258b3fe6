package ingest

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/output/warehouse/internal/rowhash"
)

// hashPlan lists the schema positions of f's group columns, then of the
// rest of its key and values.
func (f fact) hashPlan() (group, rest []int) {
	sc := f.schema()
	idx := func(c string) int { return sc.FieldIndices(c)[0] }
	inGroup := map[string]bool{}
	for _, c := range f.group {
		group = append(group, idx(c))
		inGroup[c] = true
	}
	for _, c := range append(append([]string{}, f.key...), f.compare...) {
		if !inGroup[c] {
			rest = append(rest, idx(c))
		}
	}
	return group, rest
}

// hashRows returns the row hash of every row of a canonical batch of f
// and, when gh is not nil, fills it with the group hashes.
func hashRows(f fact, rec arrow.RecordBatch, gh []uint64) []uint64 {
	group, rest := f.hashPlan()
	return rowhash.Rows(rec, group, rest, gh)
}
