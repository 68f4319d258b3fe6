package idcode

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse/internal/rowhash"
)

// Canonical columns by role, resolved once.
var (
	tfCol = func(name string) int { return etl.TradeFlowsSchema.FieldIndices(name)[0] }
	// what a part is made of: columns a load's rows mostly share
	partCols = []int{tfCol("source"), tfCol("source_ref"), tfCol("freq"), tfCol("flow"), tfCol("hs_revision")}
	// coded per row, in Schema order
	codeCols = map[string]int{"reporter_id": tfCol("reporter_iso3"), "partner_id": tfCol("partner_iso3"),
		"hs_id": tfCol("hs_code"), "commodity_id": tfCol("commodity"), "quantity_unit_id": tfCol("quantity_unit")}
	// passed through as they are
	plainCols = map[string]int{"period": tfCol("period"), "value_usd": tfCol("value_usd"),
		"net_weight_kg": tfCol("net_weight_kg"), "quantity": tfCol("quantity"),
		"is_aggregate": tfCol("is_aggregate"), "source_row": tfCol("source_row")}
)

// partKey is the values of partCols; null is an absent hs_revision.
type partKey struct {
	vals [5]string
	null [5]bool
}

// codeIDs codes a string column; consecutive rows often repeat a value
// (a reporter, a unit), so only a change costs a map lookup.
func (c *Codec) codeIDs(col arrow.Array) arrow.Array {
	n := col.Len()
	buf, ids := pooledInt32s(n)
	if v, null, ok := rowhash.Constant(col); ok {
		if !null {
			id := c.code(v)
			for i := range ids {
				ids[i] = id
			}
		}
		return int32Array(buf, n, col)
	}
	if d, ok := col.(*array.Dictionary); ok {
		// Each distinct code is looked up once, each row is an index.
		dict := d.Dictionary().(*array.String)
		byIndex := make([]int32, dict.Len())
		for k := range byIndex {
			if dict.IsValid(k) {
				byIndex[k] = c.code(dict.Value(k))
			}
		}
		ix := etl.DictIndices(d)
		if d.NullN() == 0 {
			for i, k := range ix {
				ids[i] = byIndex[k]
			}
		} else {
			for i, k := range ix {
				if d.IsValid(i) {
					ids[i] = byIndex[k]
				}
			}
		}
		return int32Array(buf, n, d)
	}
	a := col.(*array.String)
	nulls := a.NullN() > 0
	prev, prevID := "", int32(0)
	var prevShort uint64
	for i := range n {
		if nulls && a.IsNull(i) {
			continue
		}
		v := a.Value(i)
		if len(v) < 8 { // a short code compares and looks up as a number
			k := rowhash.Str(v)
			if prevID == 0 || k != prevShort {
				prev, prevShort, prevID = "", k, c.shortCode(k, v)
			}
		} else if prevID == 0 || prevShort != 0 || v != prev {
			prev, prevShort, prevID = v, 0, c.code(v)
		}
		ids[i] = prevID
	}
	return int32Array(buf, n, a)
}

// shortCode is code for a string of up to 7 bytes, k its rowhash.Str (its
// bytes and length).
func (c *Codec) shortCode(k uint64, v string) int32 {
	if id, ok := c.short[k]; ok {
		return id
	}
	id := c.code(v)
	c.short[k] = id
	return id
}

func (c *Codec) code(v string) int32 {
	id, ok := c.codes[v]
	if !ok {
		v = strings.Clone(v) // Value points into the batch's buffer
		c.nextCode++
		id = c.nextCode
		c.codes[v] = id
		c.newCodes = append(c.newCodes, v)
	}
	return id
}

// partIDs codes the part columns of each row; a column the whole batch
// shares (the usual case) is recognised without comparing row by row.
func (c *Codec) partIDs(rec arrow.RecordBatch, n int) arrow.Array {
	var strs [5]func(int) string
	var cols [5]arrow.Array
	var key partKey
	varying := false
	for k, j := range partCols {
		cols[k] = rec.Column(j)
		strs[k] = etl.StringsOf(cols[k])
		if v, null, ok := rowhash.Constant(cols[k]); ok {
			key.vals[k], key.null[k] = v, null
		} else {
			varying = true
		}
	}
	buf, ids := pooledInt32s(n)
	vbuf, valid := pooledBitmap(n)
	if !varying {
		if id, ok := c.part(key); ok {
			for i := range ids {
				ids[i] = id
			}
			bitutil.SetBitsTo(valid, 0, int64(n), true)
		}
		return int32ArrayValid(buf, vbuf, n)
	}
	prevID, havePrev := int32(0), false
	var prev partKey
	for i := range n {
		for k, at := range strs {
			key.null[k] = cols[k].IsNull(i)
			key.vals[k] = at(i)
		}
		if !havePrev || key != prev {
			prev, havePrev = key, true
			var ok bool
			if prevID, ok = c.part(key); !ok {
				prevID = 0
			}
		}
		if prevID != 0 {
			ids[i] = prevID
			bitutil.SetBit(valid, i)
		}
	}
	return int32ArrayValid(buf, vbuf, n)
}

// part returns the id of key, false when a column history requires is null.
func (c *Codec) part(key partKey) (int32, bool) {
	for k := range 4 { // source, source_ref, freq and flow are required
		if key.null[k] {
			return 0, false
		}
	}
	id, ok := c.parts[key]
	if !ok {
		for k := range key.vals {
			key.vals[k] = strings.Clone(key.vals[k])
		}
		c.nextPart++
		id = c.nextPart
		c.parts[key] = id
		c.newParts = append(c.newParts, key)
		triple := [3]string{key.vals[0], key.vals[2], key.vals[3]}
		kid, ok := c.keyIDs[triple]
		if !ok {
			kid = int32(len(c.keyIDs)) + 1
			c.keyIDs[triple] = kid
		}
		for int(id-c.firstPart) >= len(c.keyOf) {
			c.keyOf = append(c.keyOf, 0)
		}
		c.keyOf[id-c.firstPart] = kid
	}
	return id, true
}
