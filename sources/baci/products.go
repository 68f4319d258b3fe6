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
// whether a job keeps them and their commodity group.
type productTable struct {
	prefixes []string // nil keeps all
	// By code number: the state in the low byte and, for a kept product,
	// 1 + its number above it. Kept products are numbered in order of
	// first sight; batches carry the number, with the codes as their
	// dictionary.
	entries codeTable
	slugs   map[string]uint8
	codes   []string // by number
	dict    arrow.Array
}

func newProductTable(prefixes []string) *productTable {
	t := &productTable{prefixes: prefixes, slugs: map[string]uint8{}}
	for i, s := range etl.GroupSlugs() {
		t.slugs[s] = uint8(i)
	}
	if len(t.slugs) > 250 {
		panic("baci: too many commodity groups for a one-byte index")
	}
	return t
}

// state classifies code and returns its entry for number.
func (t *productTable) state(code int) (uint8, *uint32) {
	e := t.entries.at(code)
	if s := uint8(*e); s != unseen {
		return s, e
	}
	hs := fmt.Sprintf("%06d", code)
	s := excluded
	if t.keeps(hs) {
		s = keptNoGroup
		if g := etl.CommodityOf(hs); g != "" {
			s = keptNoGroup + 1 + t.slugs[g]
		}
	}
	*e = uint32(s)
	return s, e
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
func (t *productTable) number(code int, e *uint32) int32 {
	if i := *e >> 8; i != 0 {
		return int32(i) - 1
	}
	t.codes = append(t.codes, fmt.Sprintf("%06d", code))
	*e |= uint32(len(t.codes)) << 8
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

// codeTable maps code numbers to entries: an open-addressing hash table a
// few dozen KiB large. A plain array indexed by the code would span 4 MB
// and cost a TLB miss on most rows; a file's few thousand codes fit here.
type codeTable struct {
	keys []uint32 // code + 1; 0 is an empty slot
	vals []uint32
	n    int
}

// at returns the entry of code, 0 when new.
func (t *codeTable) at(code int) *uint32 {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	k := uint32(code) + 1
	mask := uint32(len(t.keys) - 1)
	for i := (k * 0x9E3779B1) >> 7 & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return &t.vals[i]
		case 0:
			t.keys[i] = k
			t.n++
			return &t.vals[i]
		}
	}
}

func (t *codeTable) grow() {
	keys, vals := t.keys, t.vals
	size := max(8192, 2*len(keys))
	t.keys, t.vals, t.n = make([]uint32, size), make([]uint32, size), 0
	for i, k := range keys {
		if k != 0 {
			*t.at(int(k - 1)) = vals[i]
		}
	}
}
