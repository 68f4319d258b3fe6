package idcode

import "github.com/tradewh/tradewh/output/warehouse/internal/rowhash"

// dupProof looks for rows with the same natural key among the batches the
// codec sees. Rows of one (source, freq, flow, period, reporter, partner)
// form a block; while blocks arrive in one piece, as extracts grouped by
// country pair do (BACI files, ordered by exporter, importer, product;
// Comtrade responses), a set of each block's HS codes finds every
// duplicate, in memory bounded by the number of blocks.
//
// A block that comes back, or a repeat inside a block, ends the proof.
// From that row on, rows are flagged as possible repeats when their block
// was seen before the proof ended or when a filter of the keys seen since
// says it may hold theirs (a false alarm costs only a detour). The loader
// diverts flagged rows to staging; every other row has a key no earlier
// row had, and goes straight into history.
type dupProof struct {
	cur    blockKey
	hs     keySet
	closed map[blockKey]bool
	found  bool // a duplicate key was seen while the proof held
	lost   bool // a block came back
	// once the proof has ended:
	before map[blockKey]bool // blocks seen before it ended
	seen   keyFilter         // keys of the rows since
}

type blockKey struct {
	key, period, reporter, partner int32
}

// check records rows of one batch: keys[i] is the row's (source, freq,
// flow) id and the other slices its coded columns. It returns the rows
// that may repeat the key of an earlier row, in order (none while the
// proof holds).
func (d *dupProof) check(keys, period, reporter, partner, hs []int32) []int32 {
	if d.closed == nil && d.before == nil {
		d.closed = map[blockKey]bool{}
	}
	i := 0
	if d.before == nil {
		for ; i < len(keys); i++ {
			b := blockKey{keys[i], period[i], reporter[i], partner[i]}
			if b != d.cur {
				d.closed[d.cur] = true
				if d.closed[b] {
					d.lost = true
					break
				}
				d.cur = b
				d.hs.reset()
			}
			if !d.hs.add(uint64(uint32(hs[i]))) {
				d.found = true
				break
			}
		}
		if i == len(keys) {
			return nil
		}
		d.closed[d.cur] = true
		d.before, d.closed, d.hs = d.closed, nil, keySet{}
	}
	var maybe []int32
	for ; i < len(keys); i++ {
		h := rowhash.Finish(rowhash.Mix(rowhash.Mix(rowhash.Mix(rowhash.Mix(rowhash.Mix(rowhash.Seed, uint64(uint32(keys[i]))), uint64(uint32(period[i]))),
			uint64(uint32(reporter[i]))), uint64(uint32(partner[i]))), uint64(uint32(hs[i]))))
		if d.before[blockKey{keys[i], period[i], reporter[i], partner[i]}] || d.seen.mayHave(h) {
			maybe = append(maybe, int32(i))
		}
		d.seen.add(h)
	}
	return maybe
}

// keyFilter is a Bloom filter of key hashes that grows: each filter sets
// four bits in one 64-bit word per key (one cache line a lookup), sized
// at 16 bits a key, and a full filter is followed by one twice its size.
// It never misses a key it was given; it may claim one it was not.
type keyFilter struct {
	words [][]uint64
	n     int // keys in the last filter
}

const firstFilterKeys = 1 << 20

func filterMask(h uint64) uint64 {
	return 1<<(h&63) | 1<<(h>>6&63) | 1<<(h>>12&63) | 1<<(h>>18&63)
}

func (f *keyFilter) mayHave(h uint64) bool {
	m := filterMask(h)
	for _, w := range f.words {
		if w[(h>>32)%uint64(len(w))]&m == m {
			return true
		}
	}
	return false
}

func (f *keyFilter) add(h uint64) {
	last := len(f.words) - 1
	if last < 0 || f.n >= 4*len(f.words[last]) {
		size := firstFilterKeys / 4
		if last >= 0 {
			size = 2 * len(f.words[last])
		}
		f.words, f.n, last = append(f.words, make([]uint64, size)), 0, last+1
	}
	w := f.words[last]
	w[(h>>32)%uint64(len(w))] |= filterMask(h)
	f.n++
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
