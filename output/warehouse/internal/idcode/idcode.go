package idcode

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/arrowmem"
	"github.com/tradewh/tradewh/output/warehouse/internal/rowhash"
	"github.com/tradewh/tradewh/output/warehouse/internal/sqltext"
)

// Trade-flow versions are stored id-coded (migration 004): the loader
// turns each canonical batch into a batch of trade_flow_versions on the
// source's goroutine, so DuckDB only appends fixed-width numbers.
const (
	CodesTable    = "trade_codes"
	PartsTable    = "trade_flow_parts"
	VersionsTable = "trade_flow_versions"
)

// Schema is a batch of trade_flow_versions without valid_to.
var Schema = func() *arrow.Schema {
	i32, f64 := arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64
	return arrow.NewSchema([]arrow.Field{
		{Name: "part_id", Type: i32, Nullable: true},
		{Name: "period", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "reporter_id", Type: i32, Nullable: true},
		{Name: "partner_id", Type: i32, Nullable: true},
		{Name: "hs_id", Type: i32, Nullable: true},
		{Name: "commodity_id", Type: i32, Nullable: true},
		{Name: "value_usd", Type: f64, Nullable: true},
		{Name: "net_weight_kg", Type: f64, Nullable: true},
		{Name: "quantity", Type: f64, Nullable: true},
		{Name: "quantity_unit_id", Type: i32, Nullable: true},
		{Name: "is_aggregate", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "source_row", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "row_hash", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	}, nil)
}()

// Decode is what the trade_flow_rows view (migration 004) gives
// for the versions of rel (alias v, with their row id as rid). Filtering
// the view on ids would decode every version first.
func Decode(rel string) string {
	return sqltext.Fill(`SELECT p.freq, v.period, r.code AS reporter_iso3, pa.code AS partner_iso3, p.flow, hs.code AS hs_code,
		p.hs_revision, c.code AS commodity, v.value_usd, v.net_weight_kg, v.quantity, u.code AS quantity_unit,
		v.is_aggregate, p.source, p.source_ref, v.source_row, p.run_id, p.valid_from, v.valid_to, v.row_hash,
		v.rid, v.part_id, v.reporter_id, v.partner_id, v.hs_id, v.commodity_id, v.quantity_unit_id
		FROM ${rel} v
		JOIN ${parts} p ON p.part_id = v.part_id
		JOIN ${codes} r ON r.id = v.reporter_id
		JOIN ${codes} pa ON pa.id = v.partner_id
		JOIN ${codes} hs ON hs.id = v.hs_id
		LEFT JOIN ${codes} c ON c.id = v.commodity_id
		LEFT JOIN ${codes} u ON u.id = v.quantity_unit_id`, sqltext.Parts{"rel": rel, "parts": PartsTable, "codes": CodesTable})
}

// IDCols are the columns of Schema staged with a batch of the
// id-coded table (by position in Schema), so the merge inserts
// staged rows without looking their codes up again.
var IDCols = []int{0, 2, 3, 4, 5, 9}

// IDColumnNames are IDCols' names.
func IDColumnNames() []string {
	var out []string
	for _, i := range IDCols {
		out = append(out, Schema.Field(i).Name)
	}
	return out
}

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

// Codec assigns ids to the codes and parts of one load. Ids it assigns
// are kept until flush writes them, inside the load's transaction.
type Codec struct {
	mu       sync.Mutex
	codes    map[string]int32
	short    map[uint64]int32 // codes of up to 7 bytes by strHash
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

// shortCode is code for a string of up to 7 bytes, k its strHash (its
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

// CodeColumns are the columns of a batch of new codes; PartColumns those
// of a batch of new parts, to which the load adds run_id and valid_from.
var (
	CodeColumns = []string{"id", "code"}
	PartColumns = []string{"part_id", "source", "source_ref", "freq", "flow", "hs_revision"}
)

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

// pooledInt32s is a cleared pooled buffer of n int32 values.
func pooledInt32s(n int) (*memory.Buffer, []int32) {
	b := arrowmem.PooledBuffer(4 * max(n, 1))
	ids := arrow.Int32Traits.CastFromBytes(b.Bytes())[:n]
	clear(ids) // pooled memory comes back dirty
	return b, ids
}

// pooledBitmap is a cleared pooled validity bitmap of n bits.
func pooledBitmap(n int) (*memory.Buffer, []byte) {
	b := arrowmem.PooledBuffer(int(max(bitutil.BytesForBits(int64(n)), 1)))
	clear(b.Bytes())
	return b, b.Bytes()
}

// int32Array makes an array of n ids in buf with the validity of like;
// it takes over the reference to buf.
func int32Array(buf *memory.Buffer, n int, like arrow.Array) arrow.Array {
	if like.NullN() == 0 {
		defer buf.Release()
		d := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	vbuf, valid := pooledBitmap(n)
	for i := range n {
		if like.IsValid(i) {
			bitutil.SetBit(valid, i)
		}
	}
	return int32ArrayValid(buf, vbuf, n)
}

// int32ArrayValid makes an array of n ids with validity; it takes over
// the references to both buffers.
func int32ArrayValid(buf, valid *memory.Buffer, n int) arrow.Array {
	defer buf.Release()
	defer valid.Release()
	d := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{valid, buf}, nil, array.UnknownNullCount, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// FixedArray wraps a fixed-width buffer without nulls as an array.
func FixedArray(t arrow.DataType, n int, data []byte) arrow.Array {
	d := array.NewData(t, n, []*memory.Buffer{nil, memory.NewBufferBytes(data)}, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}
