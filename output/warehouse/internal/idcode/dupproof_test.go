package idcode

import (
	"slices"
	"testing"

	"github.com/tradewh/tradewh/output/warehouse/internal/rowhash"
)

// proofRow is a row as the duplicate proof sees it.
type proofRow struct{ key, period, reporter, partner, hs int32 }

// checkRows feeds one batch of rows to d.
func checkRows(d *dupProof, rows []proofRow) []int32 {
	cols := make([][]int32, 5)
	for _, r := range rows {
		for i, v := range []int32{r.key, r.period, r.reporter, r.partner, r.hs} {
			cols[i] = append(cols[i], v)
		}
	}
	return d.check(cols[0], cols[1], cols[2], cols[3], cols[4])
}

func TestDupProof(t *testing.T) {
	type row = proofRow
	cases := []struct {
		name        string
		batches     [][]row
		found, lost bool
	}{
		{name: "blocks in one piece", batches: [][]row{
			{{1, 10, 1, 2, 5}, {1, 10, 1, 2, 6}, {1, 10, 1, 3, 5}},
			{{1, 10, 4, 2, 5}, {1, 11, 1, 2, 5}, {2, 11, 1, 2, 5}},
		}},
		{name: "repeat inside a block", batches: [][]row{{{1, 10, 1, 2, 5}, {1, 10, 1, 2, 6}, {1, 10, 1, 2, 5}}}, found: true},
		{name: "repeat across batches", batches: [][]row{{{1, 10, 1, 2, 5}}, {{1, 10, 1, 2, 5}}}, found: true},
		{name: "block comes back", batches: [][]row{{{1, 10, 1, 2, 5}, {1, 10, 1, 3, 5}}, {{1, 10, 1, 2, 6}}}, lost: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d dupProof
			for _, b := range tc.batches {
				checkRows(&d, b)
			}
			if d.found != tc.found || d.lost != tc.lost {
				t.Errorf("found %t lost %t, want %t %t", d.found, d.lost, tc.found, tc.lost)
			}
		})
	}
}

func TestKeySet(t *testing.T) {
	var s keySet
	s.reset()
	for round := range 3 {
		for k := range uint64(5000) {
			if !s.add(k * 7919) {
				t.Fatalf("round %d: %d reported as seen", round, k)
			}
		}
		for k := range uint64(5000) {
			if s.add(k * 7919) {
				t.Fatalf("round %d: %d reported as new twice", round, k)
			}
		}
		s.reset()
	}
}

// Once the proof ends, the rows that may repeat a key are flagged: those
// of blocks seen before, and those whose key the filter has seen.
func TestDupProofFlagsPossibleRepeats(t *testing.T) {
	type row = proofRow
	cases := []struct {
		name    string
		batches [][]row
		want    [][]int32 // flagged rows per batch
	}{
		{"blocks in one piece", [][]row{{{1, 10, 1, 2, 5}, {1, 10, 1, 2, 6}}, {{1, 10, 1, 3, 5}}}, [][]int32{nil, nil}},
		{"repeat inside a block", [][]row{{{1, 10, 1, 2, 5}, {1, 10, 1, 2, 6}, {1, 10, 1, 2, 5}, {1, 10, 1, 2, 7}, {1, 10, 1, 3, 5}}},
			[][]int32{{2, 3}}}, // the repeat, the rest of its block; a new block is not flagged
		{"block comes back", [][]row{{{1, 10, 1, 2, 5}, {1, 10, 1, 3, 5}}, {{1, 10, 1, 2, 6}, {2, 10, 1, 2, 6}, {2, 10, 1, 2, 6}}},
			[][]int32{nil, {0, 2}}}, // the block that came back, then a key seen since
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d dupProof
			for i, b := range tc.batches {
				if got := checkRows(&d, b); !slices.Equal(got, tc.want[i]) {
					t.Errorf("batch %d: flagged %v, want %v", i, got, tc.want[i])
				}
			}
		})
	}
}

// The filter never misses a key it was given, across its growth, and
// claims few it was not.
func TestKeyFilter(t *testing.T) {
	var f keyFilter
	const n = 3 * firstFilterKeys
	h := func(i int) uint64 { return rowhash.Finish(rowhash.Mix(rowhash.Seed, uint64(i))) }
	for i := range n {
		f.add(h(i))
	}
	if len(f.words) != 2 {
		t.Errorf("%d filters for %d keys, want 2", len(f.words), n)
	}
	for i := range n {
		if !f.mayHave(h(i)) {
			t.Fatalf("key %d missed", i)
		}
	}
	false_ := 0
	for i := n; i < 2*n; i++ {
		if f.mayHave(h(i)) {
			false_++
		}
	}
	if rate := float64(false_) / n; rate > 0.02 {
		t.Errorf("false alarm rate %.4f", rate)
	}
}
