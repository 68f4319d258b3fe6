package baci

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/etl"
)

// Product states; a kept product in group g has state keptNoGroup+1+g, so
// state-keptNoGroup is the 1-based commodity index the batch stores.
const (
	unseen      uint8 = 0
	excluded    uint8 = 1
	keptNoGroup uint8 = 2
)

// productTable classifies HS6 codes once each (a file has about 5,400):
// whether a job keeps them and their commodity group. The table is
// indexed by the code's number, so a row costs one array read.
type productTable struct {
	prefixes []string // nil keeps all
	// By code number (0..999999): the state in the low byte and, for a
	// kept product, 1 + its number above it. Kept products are numbered
	// in order of first sight; batches carry the number, with the codes
	// as their dictionary. One array: a row costs one cache line.
	entries []uint32
	slugs   map[string]uint8
	codes   []string // by number
	dict    arrow.Array
}

func newProductTable(prefixes []string) *productTable {
	t := &productTable{prefixes: prefixes, entries: make([]uint32, 1_000_000), slugs: map[string]uint8{}}
	for i, s := range etl.GroupSlugs() {
		t.slugs[s] = uint8(i)
	}
	if len(t.slugs) > 250 {
		panic("baci: too many commodity groups for a one-byte index")
	}
	return t
}

func (t *productTable) state(code int) uint8 {
	if s := uint8(t.entries[code]); s != unseen {
		return s
	}
	hs := fmt.Sprintf("%06d", code)
	s := excluded
	if t.keeps(hs) {
		s = keptNoGroup
		if g := etl.CommodityOf(hs); g != "" {
			s = keptNoGroup + 1 + t.slugs[g]
		}
	}
	t.entries[code] = uint32(s)
	return s
}

func (t *productTable) keeps(hs string) bool {
	if t.prefixes == nil {
		return true
	}
	for _, p := range t.prefixes {
		if strings.HasPrefix(hs, p) {
			return true
		}
	}
	return false
}

// number returns a kept product's number in the dictionary.
func (t *productTable) number(code int) int32 {
	if i := t.entries[code] >> 8; i != 0 {
		return int32(i) - 1
	}
	t.codes = append(t.codes, fmt.Sprintf("%06d", code))
	t.entries[code] |= uint32(len(t.codes)) << 8
	return int32(len(t.codes) - 1)
}

// dictionary is the codes numbered so far, rebuilt only when it grew.
func (t *productTable) dictionary() arrow.Array {
	if t.dict == nil || t.dict.Len() != len(t.codes) {
		if t.dict != nil {
			t.dict.Release()
		}
		t.dict = stringDict(t.codes)
	}
	return t.dict
}

// release drops the dictionary.
func (t *productTable) release() {
	if t.dict != nil {
		t.dict.Release()
		t.dict = nil
	}
}
