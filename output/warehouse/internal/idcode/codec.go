package idcode

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Codec assigns ids to the codes and parts of one load. Ids it assigns
// are kept until Flush hands them out, to be written in the load's
// transaction.
type Codec struct {
	mu       sync.Mutex
	codes    map[string]int32
	short    map[uint64]int32 // codes of up to 7 bytes by rowhash.Str
	nextCode int32
	newCodes []string
	parts    map[partKey]int32
	nextPart int32
	newParts []partKey
	// the load's parts are numbered from firstPart
	firstPart int32
	keyOf     []int32 // per part id: an id of its (source, freq, flow)
	keyIDs    map[[3]string]int32
	dups      dupProof
}

// Load reads the ids history already uses.
func Load(ctx context.Context, tx *sql.Tx) (*Codec, error) {
	c := &Codec{codes: map[string]int32{}, short: map[uint64]int32{}, parts: map[partKey]int32{}, keyIDs: map[[3]string]int32{}}
	rows, err := tx.QueryContext(ctx, "SELECT id, code FROM "+CodesTable)
	if err != nil {
		return nil, fmt.Errorf("read trade codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int32
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		c.codes[code] = id
		c.nextCode = max(c.nextCode, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(part_id), 0) FROM "+PartsTable).Scan(&c.nextPart); err != nil {
		return nil, fmt.Errorf("read trade flow parts: %w", err)
	}
	c.firstPart = c.nextPart + 1
	return c, nil
}

// Encode returns rec as a batch of Schema with row hashes rh, and
// the rows that may repeat an earlier row's key (see dupProof). Columns
// with a null where history requires a value get a null id; such a batch
// is staged, never written as it is.
func (c *Codec) Encode(rec arrow.RecordBatch, rh []uint64) (arrow.RecordBatch, []int32) {
	n := int(rec.NumRows())
	c.mu.Lock()
	defer c.mu.Unlock()
	cols := make([]arrow.Array, len(Schema.Fields()))
	for i, fl := range Schema.Fields() {
		switch {
		case fl.Name == "part_id":
			cols[i] = c.partIDs(rec, n)
		case fl.Name == "row_hash":
			cols[i] = FixedArray(arrow.PrimitiveTypes.Uint64, n, arrow.Uint64Traits.CastToBytes(rh))
		default:
			if j, ok := codeCols[fl.Name]; ok {
				cols[i] = c.codeIDs(rec.Column(j))
			} else {
				cols[i] = rec.Column(plainCols[fl.Name])
				cols[i].Retain()
			}
		}
	}
	out := array.NewRecordBatch(Schema, cols, int64(n))
	for _, a := range cols {
		a.Release()
	}
	return out, c.proveUnique(out)
}

// proveUnique feeds an encoded batch to the duplicate proof and returns
// the rows that may repeat a key.
func (c *Codec) proveUnique(b arrow.RecordBatch) []int32 {
	ints := func(i int) []int32 {
		return arrow.Int32Traits.CastFromBytes(b.Column(i).Data().Buffers()[1].Bytes())[b.Column(i).Data().Offset():][:b.NumRows()]
	}
	parts := ints(0)
	keys := make([]int32, len(parts))
	for i, p := range parts {
		if p >= c.firstPart { // else null: the batch is staged, and so checked there
			keys[i] = c.keyOf[p-c.firstPart]
		}
	}
	return c.dups.check(keys, ints(1), ints(2), ints(3), ints(4))
}

// Flush returns the codes and the parts assigned since the last Flush,
// as batches of their tables' columns (CodeColumns, PartColumns; a
// part's run_id and valid_from are the load's), or nil when there are
// none. The caller writes them in the load's transaction and releases
// them.
func (c *Codec) Flush() (codes, parts arrow.RecordBatch) {
	c.mu.Lock()
	newCodes, newParts := c.newCodes, c.newParts
	first, firstPart := c.nextCode-int32(len(newCodes))+1, c.nextPart-int32(len(newParts))+1
	c.newCodes, c.newParts = nil, nil
	c.mu.Unlock()
	if len(newCodes) > 0 {
		ib, cb := array.NewInt32Builder(memory.DefaultAllocator), array.NewStringBuilder(memory.DefaultAllocator)
		defer ib.Release()
		defer cb.Release()
		for i, code := range newCodes {
			ib.Append(first + int32(i))
			cb.Append(code)
		}
		codes = batchOf(CodeColumns, ib, cb)
	}
	if len(newParts) > 0 {
		bs := []array.Builder{array.NewInt32Builder(memory.DefaultAllocator)}
		for range 5 {
			bs = append(bs, array.NewStringBuilder(memory.DefaultAllocator))
		}
		for i, p := range newParts {
			bs[0].(*array.Int32Builder).Append(firstPart + int32(i))
			for k := range p.vals {
				if p.null[k] {
					bs[k+1].AppendNull()
				} else {
					bs[k+1].(*array.StringBuilder).Append(p.vals[k])
				}
			}
		}
		parts = batchOf(PartColumns, bs...)
		for _, b := range bs {
			b.Release()
		}
	}
	return codes, parts
}

// batchOf makes a batch of the builders' values as columns cols.
func batchOf(cols []string, bs ...array.Builder) arrow.RecordBatch {
	arrs := make([]arrow.Array, len(bs))
	fields := make([]arrow.Field, len(bs))
	for i, b := range bs {
		arrs[i] = b.NewArray()
		defer arrs[i].Release()
		fields[i] = arrow.Field{Name: cols[i], Type: arrs[i].DataType(), Nullable: true}
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(arrs[0].Len()))
}

// LoadParts returns the first part id of this load (the load's parts are
// numbered on from it) and a SQL expression of alias.part_id giving the id
// of its (source, freq, flow): what, besides the coded columns, makes a key.
func (c *Codec) LoadParts(alias string) (int32, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	same := true
	for i, k := range c.keyOf {
		fmt.Fprintf(&b, " WHEN %d THEN %d", c.firstPart+int32(i), k)
		same = same && k == c.keyOf[0]
	}
	if same {
		return c.firstPart, "0" // one (source, freq, flow): the part says nothing more
	}
	return c.firstPart, "CASE " + alias + ".part_id" + b.String() + " END"
}

// MayHaveDuplicates reports whether rows encoded so far may share a key:
// then rows were flagged as possible repeats.
func (c *Codec) MayHaveDuplicates() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dups.found || c.dups.lost
}
