package warehouse

// dupProof looks for rows with the same natural key among the batches the
// codec sees. Rows of one (source, freq, flow, period, reporter, partner)
// form a block; while blocks arrive in one piece, as extracts grouped by
// country pair do (BACI files, ordered by exporter, importer, product;
// Comtrade responses), a set of each block's HS codes finds every
// duplicate, in memory bounded by the number of blocks. A block that
// comes back ends the proof: then only the warehouse can tell.
type dupProof struct {
	cur    blockKey
	hs     keySet
	closed map[blockKey]bool
	found  bool // a duplicate key was seen
	lost   bool // a block came back
}

type blockKey struct {
	key, period, reporter, partner int32
}

// check records rows of one batch: keys[i] is the row's (source, freq,
// flow) id and the other slices its coded columns.
func (d *dupProof) check(keys, period, reporter, partner, hs []int32) {
	if d.found || d.lost {
		return
	}
	if d.closed == nil {
		d.closed = map[blockKey]bool{}
	}
	for i := range keys {
		b := blockKey{keys[i], period[i], reporter[i], partner[i]}
		if b != d.cur {
			d.closed[d.cur] = true
			if d.closed[b] {
				d.lost, d.hs, d.closed = true, keySet{}, nil
				return
			}
			d.cur = b
			d.hs.reset()
		}
		if !d.hs.add(uint64(uint32(hs[i]))) {
			d.found = true
			return
		}
	}
}

// keySet is a set of uint64 that empties in constant time: a slot holds
// a key of the current generation or none. It is a map[uint64]struct{}
// without the per-block clearing and hashing costs, on a per-row path.
type keySet struct {
	keys []uint64
	gens []uint32
	gen  uint32
	n    int
}

func (s *keySet) reset() {
	s.gen++
	s.n = 0
	if s.gen == 0 { // wrapped: old stamps could look current
		clear(s.gens)
		s.gen = 1
	}
}

// add inserts k and reports whether it was new.
func (s *keySet) add(k uint64) bool {
	if 2*(s.n+1) > len(s.keys) {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> 32 & mask; ; i = (i + 1) & mask {
		switch {
		case s.gens[i] != s.gen:
			s.keys[i], s.gens[i] = k, s.gen
			s.n++
			return true
		case s.keys[i] == k:
			return false
		}
	}
}

func (s *keySet) grow() {
	old, oldGens, gen := s.keys, s.gens, s.gen
	size := max(1024, 2*len(old))
	s.keys, s.gens, s.gen, s.n = make([]uint64, size), make([]uint32, size), 1, 0
	for i, k := range old {
		if oldGens[i] == gen {
			s.add(k)
		}
	}
}
