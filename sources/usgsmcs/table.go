package usgsmcs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/workbook"
)

// table is one MCS table as read from a CSV file or an XLSX sheet.
type table struct {
	path   string // the file, for its name (edition, abbreviation)
	ref    string // source_ref
	header []string
	rows   [][]string // data rows; rows[i] is source_row i+1
	// csv: a row with fewer cells than the header was cut short (a
	// workbook's rows simply end at their last filled cell)
	csv bool
	// uncalc: formulas saved without a value that could not be calculated,
	// by data row number and column index
	uncalc map[[2]int]string
	// oversized: rows holding a cell longer than a spreadsheet allows, by
	// data row number (the cell's text is cut)
	oversized map[int]oversizedCell
}

// oversizedCell is a row's first cell too long to be a spreadsheet's.
type oversizedCell struct {
	col int
	why string
}

// rejectOversized rejects a row with a cell too long to be a spreadsheet's:
// text pasted or generated into a table, not a figure of it. The raw text
// keeps the cut cell.
func (x *extractor) rejectOversized(ctx context.Context, t *table, rowNo int64, row []string) (bool, error) {
	o, ok := t.oversized[int(rowNo)]
	if !ok {
		return false, nil
	}
	col := fmt.Sprintf("column %d", o.col+1)
	if o.col < len(t.header) && cleanText(t.header[o.col]) != "" {
		col = cleanText(t.header[o.col])
	}
	return true, x.reject(ctx, t.ref, rowNo, col, o.why, strings.Join(row, ","))
}

// rejectUncalculated rejects a row whose key cells (edition, commodity,
// year, country, type) are formulas that could not be calculated: read as
// blank they would place the row's figures wrongly or not at all.
func (x *extractor) rejectUncalculated(ctx context.Context, t *table, rowNo int64, row []string, stat map[int]bool) (bool, error) {
	for i := range t.header {
		why, ok := t.uncalc[[2]int{int(rowNo), i}]
		if ok && !stat[i] {
			return true, x.reject(ctx, t.ref, rowNo, cleanText(t.header[i]), why, strings.Join(row, ","))
		}
	}
	return false, nil
}

func statIdx(cols []statCol) map[int]bool {
	m := map[int]bool{}
	for _, c := range cols {
		m[c.idx] = true
	}
	return m
}

// layout says which kind of table a header starts.
func layout(header []string) string {
	has := map[string]bool{}
	for _, h := range header {
		has[strings.ToLower(cleanText(h))] = true
	}
	switch {
	case has["commodity"] && has["year"]:
		return "salient"
	case has["country"] && (has["source"] || has["datasource"]):
		return "world"
	}
	return ""
}

func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

func blank(row []string) bool {
	for _, c := range row {
		if cleanText(c) != "" {
			return false
		}
	}
	return true
}

func isNotes(name string) bool { return strings.Contains(strings.ToLower(name), "note") }

// edition returns the edition of a row: the config's, the row's Source
// column, or the file name's.
func (x *extractor) edition(t *table, row []string, col int) (string, int, error) {
	for _, s := range []string{x.editionOverride, cell(row, col), fileEdition(t.path)} {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if e, y, ok := normEdition(s); ok {
			return e, y, nil
		}
		return "", 0, fmt.Errorf("edition %q is not MCS followed by a year", s)
	}
	return "", 0, fmt.Errorf("no edition: no DataSource/Source value, no MCSyyyy- file name and no edition in the config")
}

// editionColumn names the column an edition comes from, for rejections.
func editionColumn(t *table, col int) string {
	if col >= 0 && col < len(t.header) {
		return cleanText(t.header[col])
	}
	return "edition"
}

// cutLongCells holds the cells of a CSV table to a workbook's limit: a row
// with a longer cell is rejected, its text cut (workbook.Rows does the same
// for workbooks). Cells are named as a spreadsheet shows them, the header
// in row 1.
func (t *table) cutLongCells() {
	for r, row := range t.rows {
		for c, v := range row {
			short, why, long := workbook.CutCell(v, workbook.Cell{Row: r + 2, Col: c + 1})
			if !long {
				continue
			}
			row[c] = short
			if t.oversized == nil {
				t.oversized = map[int]oversizedCell{}
			}
			if _, seen := t.oversized[r+1]; !seen {
				t.oversized[r+1] = oversizedCell{c, why}
			}
		}
	}
}

// readTable turns a table into mineral statistics.
func (x *extractor) readTable(ctx context.Context, t *table) error {
	if t.csv {
		t.cutLongCells()
	}
	empty := true
	for _, r := range t.rows {
		empty = empty && blank(r)
	}
	if empty && x.log != nil {
		x.log.Warn("usgs-mcs: the table holds a header and no data rows", "file", t.ref)
	}
	switch layout(t.header) {
	case "salient":
		return x.readSalient(ctx, t)
	case "world":
		return x.readWorld(ctx, t)
	}
	return fmt.Errorf("%s: the header is neither a salient table (DataSource, Commodity, Year, ...) nor a world table (Source, Country, Type, ...): it begins %s",
		t.ref, etl.Excerpt(strings.Join(t.header, ",")))
}

// filled lists the columns of idx that hold something in row.
func filled(row []string, idx []int) []string {
	var out []string
	for _, i := range idx {
		if cleanText(cell(row, i)) != "" {
			out = append(out, fmt.Sprintf("column %d", i+1))
		}
	}
	return out
}

// unreadableRow rejects a row cut short or with key cells that are formulas
// that could not be calculated, and reports whether it did.
func (x *extractor) unreadableRow(ctx context.Context, t *table, rowNo int64, row []string, stat map[int]bool) (bool, error) {
	if short, err := x.rejectShort(ctx, t, rowNo, row); short || err != nil {
		return true, err
	}
	if long, err := x.rejectOversized(ctx, t, rowNo, row); long || err != nil {
		return true, err
	}
	return x.rejectUncalculated(ctx, t, rowNo, row, stat)
}

// rejectShort rejects a CSV row with fewer cells than the header: its
// last cell may be a cut number and the figures after it are missing.
func (x *extractor) rejectShort(ctx context.Context, t *table, rowNo int64, row []string) (bool, error) {
	if !t.csv || len(row) >= len(t.header) {
		return false, nil
	}
	reason := fmt.Sprintf("the row has %d cells and the header %d: it is cut short, so its last figure may be cut too and the rest are missing", len(row), len(t.header))
	return true, x.reject(ctx, t.ref, rowNo, cleanText(t.header[len(row)]), reason, strings.Join(row, ","))
}

// rejectUnnamed rejects figures under a column without a name.
func (x *extractor) rejectUnnamed(ctx context.Context, t *table, unnamed []int, rowNo int64, row []string) error {
	for _, i := range unnamed {
		if v := cleanText(cell(row, i)); v != "" {
			if err := x.reject(ctx, t.ref, rowNo, fmt.Sprintf("column %d", i+1), "a cell under a column without a name", v); err != nil {
				return err
			}
		}
	}
	return nil
}

// markRepeats numbers the repeats of a column name and marks columns whose
// key another column already has.
func markRepeats(cols []statCol) {
	seenName := map[string]int{}
	seenKey := map[string]string{}
	for i := range cols {
		c := &cols[i]
		c.repeat = seenName[c.name]
		seenName[c.name]++
		u := c.unitFor("")
		key := c.world + "|" + c.measure + "|" + c.product + "|" + u.unit + "|" + strconv.Itoa(c.year)
		if prev, dup := seenKey[key]; dup && c.rejectAs == "" {
			c.rejectAs = fmt.Sprintf("the column repeats %q: the two cannot be told apart", prev)
			continue
		}
		seenKey[key] = c.name
	}
}

func (x *extractor) readSalient(ctx context.Context, t *table) error {
	edCol, comCol, yearCol := -1, -1, -1
	var cols []statCol
	var unnamed []int
	for i, h := range t.header {
		name := cleanText(h)
		switch strings.ToLower(name) {
		case "datasource", "source":
			edCol = i
			continue
		case "commodity":
			comCol = i
			continue
		case "year":
			yearCol = i
			continue
		case "":
			unnamed = append(unnamed, i)
			continue
		}
		if isNotes(name) {
			continue
		}
		c, err := parseSalientColumn(i, name)
		if err != nil {
			return fmt.Errorf("%s: column %d %q: %v", t.ref, i+1, name, err)
		}
		cols = append(cols, c)
	}
	if err := inferUnits(t, cols); err != nil {
		return err
	}
	x.warnUnknownUnits(t, cols)
	markRepeats(cols)
	stat := statIdx(cols)
	for r, row := range t.rows {
		rowNo := int64(r + 1)
		if blank(row) {
			continue
		}
		if bad, err := x.unreadableRow(ctx, t, rowNo, row, stat); bad || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		ed, _, err := x.edition(t, row, edCol)
		if err != nil {
			if err := x.reject(ctx, t.ref, rowNo, editionColumn(t, edCol), err.Error(), strings.Join(row, ",")); err != nil {
				return err
			}
			continue
		}
		com := commoditySlug(cell(row, comCol))
		year, yerr := strconv.Atoi(strings.TrimSpace(cleanText(cell(row, yearCol))))
		switch {
		case com == "":
			if err := x.reject(ctx, t.ref, rowNo, t.header[comCol], "missing commodity: the row's figures cannot be placed", strings.Join(row, ",")); err != nil {
				return err
			}
			continue
		case yerr != nil:
			if err := x.reject(ctx, t.ref, rowNo, cleanText(t.header[yearCol]), fmt.Sprintf("year %q is not a year: the row's figures cannot be placed", cell(row, yearCol)), strings.Join(row, ",")); err != nil {
				return err
			}
			continue
		}
		if extra := filled(row, unnamed); len(extra) > 0 {
			// a salient row is one year across all columns: one figure too
			// many shifts every column after it, so none can be placed
			reason := fmt.Sprintf("the row has figures under columns without a name (%s): it does not line up with the header, so none of its figures can be placed", strings.Join(extra, ", "))
			if err := x.reject(ctx, t.ref, rowNo, "", reason, strings.Join(row, ",")); err != nil {
				return err
			}
			continue
		}
		for i := range cols {
			c := &cols[i]
			m := etl.MineralStat{Edition: ed, Commodity: com, Year: year, Country: "USA",
				Measure: c.measure, Product: c.product}
			if err := x.emitCell(ctx, t, rowNo, c, cell(row, c.idx), m); err != nil {
				return err
			}
		}
	}
	return nil
}

// warnUnknownUnits says which columns carry a unit suffix the source does
// not know: their figures keep that unit, unconverted.
func (x *extractor) warnUnknownUnits(t *table, cols []statCol) {
	var names []string
	for _, c := range cols {
		if c.unit.kind == kindUnknown {
			names = append(names, fmt.Sprintf("%s (unit %q)", c.name, c.unit.unit))
		}
	}
	if len(names) > 0 && x.log != nil {
		x.log.Warn("usgs-mcs: unit suffixes not known, figures kept in their own unit and not converted: "+strings.Join(names, ", "), "file", t.ref)
	}
}

// inferUnits gives a column without a unit (Consump_, Stocks_) the table's
// one mass unit, or fails when the table has none or several.
func inferUnits(t *table, cols []statCol) error {
	var mass []unitDef
	var raws []string
	for _, c := range cols {
		if c.hasUnit && c.unit.kind == kindMass && c.rejectAs == "" && c.measure != mPrice {
			dup := false
			for _, m := range mass {
				dup = dup || m == c.unit
			}
			if !dup {
				mass, raws = append(mass, c.unit), append(raws, c.rawUnit)
			}
		}
	}
	for i := range cols {
		c := &cols[i]
		if c.hasUnit {
			continue
		}
		if len(mass) != 1 {
			return fmt.Errorf("%s: column %d %q: no unit suffix, and the table's other columns do not have exactly one mass unit to take (%s)",
				t.ref, c.idx+1, c.name, strings.Join(raws, ", "))
		}
		c.unit, c.rawUnit, c.hasUnit = mass[0], raws[0], true
	}
	return nil
}

// emitCell parses one cell of column c and writes it, or rejects it.
func (x *extractor) emitCell(ctx context.Context, t *table, rowNo int64, c *statCol, raw string, m etl.MineralStat) error {
	u := c.unitFor(m.Commodity)
	if per, ok := priceErrata[[2]string{m.Commodity, c.name}]; ok {
		u = unitDef{per, 0, kindPrice}
	} else if per, ok := mtuPrices[m.Commodity]; ok && c.measure == mPrice && u.unit == "usd_per_t" {
		u = unitDef{per, 0, kindPrice}
	}
	v, q, ok, err := parseCell(raw, u)
	if why, bad := t.uncalc[[2]int{int(rowNo), c.idx}]; bad {
		return x.reject(ctx, t.ref, rowNo, c.name, why, "")
	}
	switch {
	case err != nil:
		return x.reject(ctx, t.ref, rowNo, c.name, err.Error(), raw)
	case !ok:
		return nil
	case c.rejectAs != "":
		return x.reject(ctx, t.ref, rowNo, c.name, c.rejectAs, cleanText(raw))
	}
	m.Value, m.Qualifier, m.Unit = v, q, u.unit
	m.Source, m.Ref, m.Row, m.Column = Kind, t.ref, rowNo, c.name
	return x.emit(ctx, m)
}

func (x *extractor) readWorld(ctx context.Context, t *table) error {
	edCol, countryCol, typeCol := -1, -1, -1
	var cols []statCol
	var unnamed []int
	for i, h := range t.header {
		name := cleanText(h)
		low := strings.ToLower(name)
		switch {
		case low == "source" || low == "datasource":
			edCol = i
		case low == "country":
			countryCol = i
		case low == "type" || (i == 2 && typeCol < 0 && !isNotes(name) && worldWords[strings.ToLower(strings.SplitN(name, "_", 2)[0])] == ""):
			// one real file names its Type column after its only type
			typeCol = i
		case name == "":
			unnamed = append(unnamed, i)
		case isNotes(name):
		default:
			c, err := parseWorldColumn(i, name)
			if err != nil {
				return fmt.Errorf("%s: column %d %q: %v", t.ref, i+1, name, err)
			}
			cols = append(cols, c)
		}
	}
	markRepeats(cols)
	stat := statIdx(cols)
	abbr := fileAbbr(t.path)
	name, ok := commodityOfAbbr(abbr)
	if !ok {
		return fmt.Errorf("%s: world tables have no Commodity column and the file name's abbreviation %q is not in the list of MCS commodities", t.ref, abbr)
	}
	com := commoditySlug(name)
	// products come from the Type only when a country has rows of several
	// Types, and from the country's qualifier when the Type does not tell them
	// apart ("United States (from Cliffside Field)")
	firstType, perType := map[string]string{}, map[string]int{}
	needProduct := false
	for _, row := range t.rows {
		if !blank(row) {
			b, tp := countryKey(cell(row, countryCol)), typeProduct(cell(row, typeCol))
			if prev, seen := firstType[b]; seen && prev != tp {
				needProduct = true
			} else if !seen {
				firstType[b] = tp
			}
			perType[b+"|"+tp]++
		}
	}
	for r, row := range t.rows {
		rowNo := int64(r + 1)
		if blank(row) {
			continue
		}
		if bad, err := x.unreadableRow(ctx, t, rowNo, row, stat); bad || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		ed, edYear, err := x.edition(t, row, edCol)
		if err != nil {
			if err := x.reject(ctx, t.ref, rowNo, editionColumn(t, edCol), err.Error(), strings.Join(row, ",")); err != nil {
				return err
			}
			continue
		}
		if err := x.rejectUnnamed(ctx, t, unnamed, rowNo, row); err != nil {
			return err
		}
		iso, cerr := resolveCountry(cell(row, countryCol))
		if cerr != nil {
			if err := x.reject(ctx, t.ref, rowNo, "Country", cerr.Error(), strings.Join(row, ",")); err != nil {
				return err
			}
			continue
		}
		typ, label := cell(row, typeCol), areaLabel(cell(row, countryCol))
		for i := range cols {
			c := &cols[i]
			m := etl.MineralStat{Edition: ed, Commodity: com, Country: iso, Year: c.year}
			switch c.world {
			case "prod":
				m.Measure = stageMeasure(typ)
			case "cap":
				m.Measure = mCapacity
			default:
				m.Measure = mReserves
				if m.Year == 0 {
					m.Year = edYear - 1 // reserves are at the end of the year before the edition
				}
			}
			parts := []string{c.product}
			if needProduct {
				parts = append(parts, typeProduct(typ))
			}
			if perType[iso+"|"+typeProduct(typ)] > 1 {
				parts = append(parts, countryQualifier(cell(row, countryCol)))
			}
			parts = append(parts, label)
			m.Product = productOf(parts)
			if err := x.emitCell(ctx, t, rowNo, c, cell(row, c.idx), m); err != nil {
				return err
			}
		}
	}
	return nil
}
