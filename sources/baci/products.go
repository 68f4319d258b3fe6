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
	states   []uint8  // by code number, 0..999999
	slugs    map[string]uint8

	// Kept products are numbered in order of first sight; batches carry
	// the number, with the codes as their dictionary.
	index []int32  // by code number: 0 unseen, else 1 + number
	codes []string // by number
	dict  arrow.Array
}

func newProductTable(prefixes []string) *productTable {
	t := &productTable{prefixes: prefixes, states: make([]uint8, 1_000_000), slugs: map[string]uint8{},
		index: make([]int32, 1_000_000)}
	for i, s := range etl.GroupSlugs() {
		t.slugs[s] = uint8(i)
	}
	if len(t.slugs) > 250 {
		panic("baci: too many commodity groups for a one-byte index")
	}
	return t
}

func (t *productTable) state(code int) uint8 {
	if s := t.states[code]; s != unseen {
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
	t.states[code] = s
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
	if i := t.index[code]; i != 0 {
		return i - 1
	}
	t.codes = append(t.codes, fmt.Sprintf("%06d", code))
	t.index[code] = int32(len(t.codes))
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
