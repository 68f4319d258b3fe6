package baci

import (
	"fmt"
	"strings"

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
}

func newProductTable(prefixes []string) *productTable {
	t := &productTable{prefixes: prefixes, states: make([]uint8, 1_000_000), slugs: map[string]uint8{}}
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
