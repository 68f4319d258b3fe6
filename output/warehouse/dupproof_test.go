package warehouse

import "testing"

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
