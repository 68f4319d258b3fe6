package sheet

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tradewh/tradewh/etl"
	wbook "github.com/tradewh/tradewh/sources/workbook"
)

// emitter turns sheet rows into canonical rows through one table writer.
type emitter struct {
	m        *mapping
	sink     etl.Sink
	tw       *etl.TradeFlowWriter
	mw       *etl.MineralStatWriter
	added    int64
	rejected int64
	// unplaced counts the country names of the current file that resolved
	// to no country, in the order first met
	unplaced      map[string]int
	unplacedOrder []string
}

// noteUnplaced records a country name no table could place.
func (e *emitter) noteUnplaced(name string) {
	if e.unplaced == nil {
		e.unplaced = map[string]int{}
	}
	if e.unplaced[name] == 0 {
		e.unplacedOrder = append(e.unplacedOrder, name)
	}
	e.unplaced[name]++
}

// takeUnplaced returns the current file's unplaced names as one line
// ("UAE" (67 rows), ...) and forgets them.
func (e *emitter) takeUnplaced() string {
	var parts []string
	for _, n := range e.unplacedOrder {
		parts = append(parts, fmt.Sprintf("%q (%d rows)", n, e.unplaced[n]))
	}
	e.unplaced, e.unplacedOrder = nil, nil
	return strings.Join(parts, ", ")
}

func newEmitter(m *mapping, sink etl.Sink) *emitter {
	e := &emitter{m: m, sink: sink}
	if m.table == etl.MineralStatistics {
		e.mw = etl.NewMineralStatWriter(sink, 0)
	} else {
		e.tw = etl.NewTradeFlowWriter(sink, 0)
	}
	return e
}

// written counts rows handed to the writer; they were checked first, so
// the writer takes every one.
func (e *emitter) written() int64 { return e.added }

// flush writes what is buffered as a batch.
func (e *emitter) flush(ctx context.Context) error {
	if e.mw != nil {
		return e.mw.Flush(ctx)
	}
	return e.tw.Flush(ctx)
}

// close flushes what is buffered and frees the builder. After a failed
// file it is not called: the load is abandoned, and the builder's memory
// (Go's allocator) is reclaimed by the garbage collector.
func (e *emitter) close(ctx context.Context) error {
	if e.mw != nil {
		return e.mw.Close(ctx)
	}
	return e.tw.Close(ctx)
}

// sheetRow is one data row being read.
type sheetRow struct {
	ref  string
	row  int64
	vals map[string]any    // canonical column -> value (nil: blank)
	from map[string]string // canonical column -> the file's header text
	bad  []badCell
	raw  []string // header=value pairs, for the analyst
}

type badCell struct {
	column string
	err    error
}

func (r *sheetRow) fail(col string, err error) {
	r.bad = append(r.bad, badCell{r.colName(col), err})
}

// colName names a canonical column as the analyst knows it.
func (r *sheetRow) colName(col string) string {
	if h, ok := r.from[col]; ok {
		return h
	}
	return col
}

// bound is a canonical column found in a file's header.
type bound struct {
	colMap
	col   int    // 1-based; 0 when the header lacks it and a constant stands in
	label string // the file's header text
}

// file reads one file's rows into the writer.
func (e *emitter) file(ctx context.Context, ref string, data []byte, xlsx bool) error {
	var g *grid
	var err error
	if xlsx {
		g, err = readXLSX(data, e.m.sheet)
	} else {
		g, err = readCSV(data, e.m.delimiter, e.m.decimalComma)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	where := ref
	if g.sheet != "" {
		ref += "#" + g.sheet
		where = fmt.Sprintf("%s, sheet %q", where, g.sheet)
	}
	h := locate(g, e.m.headerRow, e.m.headerRows)
	cols, err := e.bind(h, g)
	if err != nil {
		return fmt.Errorf("%s, %s: %w", where, h.rows(), err)
	}
	for r := h.row + h.height; r <= g.numRows(); r++ {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if blankRow(g, r, cols) {
			continue // blank rows (between blocks, or trailing) hold nothing
		}
		if err := e.row(ctx, e.read(g, r, ref, cols)); err != nil {
			return err
		}
	}
	return nil
}

// anyColumn reports whether a mapped column was found in the header.
func anyColumn(b []bound) bool {
	for _, c := range b {
		if c.col > 0 {
			return true
		}
	}
	return false
}

// bind finds each mapped column in the header. A missing column is an
// error unless a constant stands in for it.
func (e *emitter) bind(h *header, g *grid) ([]bound, error) {
	var out []bound
	var missing []string
	for _, c := range e.m.columns {
		i, err := h.find(c.header, g)
		switch {
		case errors.Is(err, errNoColumn):
			if _, ok := e.m.constant(c.name); ok {
				out = append(out, bound{colMap: c})
				continue
			}
			missing = append(missing, fmt.Sprintf("no column matches columns.%s = %q", c.name, c.header))
		case err != nil:
			missing = append(missing, fmt.Sprintf("columns.%s: %v", c.name, err))
		default:
			out = append(out, bound{colMap: c, col: i, label: h.cols[i-1].name})
		}
	}
	if len(missing) > 0 {
		hint := ""
		if h.height == 1 && g.groupTitle(h.row) {
			hint = " (a header of two rows? set header_rows: 2)"
		}
		found := "header cells found: " + h.found()
		if !anyColumn(out) {
			// not the file the mapping is for, perhaps not a spreadsheet at all
			found = "no mapped column is found: the header row begins " + etl.Excerpt(h.text())
		}
		return nil, fmt.Errorf("%s; %s%s", strings.Join(missing, "; "), found, hint)
	}
	return out, nil
}

func blankRow(g *grid, r int, cols []bound) bool {
	for _, b := range cols {
		if b.col > 0 && cleanCell(g.ownCell(r, b.col)) != "" {
			return false
		}
		if _, ok := g.uncalc[wbook.Cell{Row: r, Col: b.col}]; ok && b.col > 0 {
			return false
		}
	}
	return true
}

// read parses a row's cells; constants fill columns the file lacks and
// blank cells of columns that have one.
func (e *emitter) read(g *grid, r int, ref string, cols []bound) *sheetRow {
	sr := &sheetRow{ref: ref, row: int64(r), vals: map[string]any{}, from: map[string]string{}}
	for _, b := range cols {
		if b.col == 0 {
			continue
		}
		sr.from[b.name] = b.label
		cell := g.cell(r, b.col)
		sr.raw = append(sr.raw, b.label+"="+cleanCell(cell))
		if why, ok := g.uncalc[wbook.Cell{Row: r, Col: b.col}]; ok {
			sr.fail(b.name, errors.New(why))
			continue
		}
		if why, ok := g.oversized[wbook.Cell{Row: r, Col: b.col}]; ok {
			sr.fail(b.name, errors.New(why))
			continue
		}
		v, err := parseValue(b.kind, cell, g.cx)
		if err != nil {
			if b.kind == kCountry {
				e.noteUnplaced(cleanCell(cell))
			}
			sr.fail(b.name, err)
			continue
		}
		if v != nil {
			sr.vals[b.name] = v
		}
	}
	if col, why := g.oversizedIn(r, cols); why != "" && !sr.badAt(col) {
		sr.fail(col, errors.New(why))
	}
	for _, c := range columnsOf(e.m.table) {
		if _, ok := sr.vals[c.name]; ok {
			continue
		}
		if v, ok := e.m.constVals[c.name]; ok && v != nil && !sr.badAt(c.name) {
			sr.vals[c.name] = v
		}
	}
	for _, c := range columnsOf(e.m.table) {
		if _, ok := sr.vals[c.name]; !ok && c.required && c.kind != kQualified && !sr.badAt(c.name) {
			sr.fail(c.name, fmt.Errorf("empty cell"))
		}
	}
	return sr
}

func (r *sheetRow) badAt(col string) bool {
	n := r.colName(col)
	for _, b := range r.bad {
		if b.column == n {
			return true
		}
	}
	return false
}

// reject records a row once, at its first bad cell, naming every bad cell.
func (e *emitter) reject(ctx context.Context, r *sheetRow) error {
	var why []string
	for i, b := range r.bad {
		if i == 0 {
			why = append(why, b.err.Error())
		} else {
			why = append(why, fmt.Sprintf("also %s: %v", b.column, b.err))
		}
	}
	e.rejected++
	return e.sink.Reject(ctx, etl.Rejection{Table: e.m.table, Source: e.m.sourceName, Ref: r.ref, Row: r.row,
		Column: r.bad[0].column, Reason: strings.Join(why, "; "), Raw: strings.Join(r.raw, "; ")})
}

func (e *emitter) row(ctx context.Context, r *sheetRow) error {
	if e.mw != nil {
		return e.mineralRow(ctx, r)
	}
	return e.tradeRow(ctx, r)
}

func (e *emitter) tradeRow(ctx context.Context, r *sheetRow) error {
	t := etl.TradeFlow{Source: e.m.sourceName, Ref: r.ref, Row: r.row}
	if p, ok := r.vals["period"].(period); ok {
		freq, _ := r.vals["freq"].(string)
		f, start, err := resolvePeriod(p, freq)
		if err != nil {
			r.fail("period", err)
		}
		t.Freq, t.Period = f, start
	}
	t.Reporter, _ = r.vals["reporter_iso3"].(string)
	t.Partner, _ = r.vals["partner_iso3"].(string)
	t.Flow, _ = r.vals["flow"].(string)
	t.HSCode, _ = r.vals["hs_code"].(string)
	t.HSRevision, _ = r.vals["hs_revision"].(string)
	t.QuantityUnit, _ = r.vals["quantity_unit"].(string)
	t.ValueUSD = e.scaled(r, "value_usd")
	t.NetWeightKg = e.scaled(r, "net_weight_kg")
	t.Quantity = e.scaled(r, "quantity")
	if agg, ok := r.vals["is_aggregate"].(bool); ok {
		t.IsAggregate = agg
	} else {
		t.IsAggregate = t.Partner == etl.WorldISO3
	}
	if len(r.bad) == 0 {
		if col, why := t.Check(); col != "" {
			r.fail(col, errors.New(why))
		}
	}
	if len(r.bad) > 0 {
		return e.reject(ctx, r)
	}
	e.added++
	return e.tw.Add(ctx, t)
}

func (e *emitter) mineralRow(ctx context.Context, r *sheetRow) error {
	ms := etl.MineralStat{Source: e.m.sourceName, Ref: r.ref, Row: r.row, Column: r.colName("value")}
	ms.Edition, _ = r.vals["edition"].(string)
	ms.Commodity, _ = r.vals["commodity"].(string)
	ms.Year, _ = r.vals["year"].(int)
	ms.Country, _ = r.vals["country_iso3"].(string)
	ms.Measure, _ = r.vals["measure"].(string)
	ms.Product, _ = r.vals["product"].(string)
	ms.Unit, _ = r.vals["unit"].(string)
	if q, ok := r.vals["value"].(etl.Qualified); ok {
		ms.Value, ms.Qualifier = q.Value, q.Qualifier
		if ms.Value != nil {
			ms.Value = etl.F(*ms.Value * e.mult("value"))
		}
	}
	if q, ok := r.vals["qualifier"].(string); ok {
		switch {
		case ms.Qualifier == "":
			ms.Qualifier = q
		case ms.Qualifier != q:
			r.fail("qualifier", fmt.Errorf("qualifier %q contradicts the value's %q", q, ms.Qualifier))
		}
	}
	if len(r.bad) == 0 {
		if col, why := ms.Check(); col != "" {
			r.fail(col, errors.New(why))
		}
	}
	if len(r.bad) > 0 {
		return e.reject(ctx, r)
	}
	e.added++
	return e.mw.Add(ctx, ms)
}

// scaled returns a numeric column times its multiplier.
func (e *emitter) scaled(r *sheetRow, col string) *float64 {
	v, ok := r.vals[col].(*float64)
	if !ok || v == nil {
		return nil
	}
	return etl.F(*v * e.mult(col))
}

func (e *emitter) mult(col string) float64 {
	if f, ok := e.m.multipliers[col]; ok {
		return f
	}
	return 1
}
