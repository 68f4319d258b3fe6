package sheet

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// valueKind says how a canonical column's cells are read.
type valueKind int

const (
	kText      valueKind = iota
	kSlug                // lower-case identifier (commodity, measure)
	kNumber              // plain number, multiplier applies
	kQualified           // statistical cell: number, W, NA, >95, ...
	kQualifier           // W, NA, E, > or <
	kCountry             // ISO3, ISO2 or a name
	kPeriod              // YYYY, YYYYMM, YYYY-MM or a date
	kYear                // YYYY or a date
	kHSCode              // text or number, leading zero restored
	kFlow                // import, export, M, X, ...
	kFreq                // A or M
	kBool
)

// canon is a canonical column a config can map.
type canon struct {
	name     string
	kind     valueKind
	required bool // needs a mapped column or a constant
}

// How a sheet reads each canonical column a source supplies, and which
// need a mapped column or a constant. The columns themselves, and their
// order, are the table's (etl.TableSpec.DataColumns).
var (
	columnKinds = map[string]valueKind{
		"freq": kFreq, "period": kPeriod, "reporter_iso3": kCountry, "partner_iso3": kCountry, "flow": kFlow,
		"hs_code": kHSCode, "hs_revision": kText, "value_usd": kNumber, "net_weight_kg": kNumber,
		"quantity": kNumber, "quantity_unit": kText, "is_aggregate": kBool,
		"edition": kText, "commodity": kSlug, "year": kYear, "country_iso3": kCountry, "measure": kSlug,
		"product": kText, "value": kQualified, "unit": kText, "qualifier": kQualifier,
	}
	// freq is derived from the period when absent, is_aggregate defaults
	// to whether the partner is the world, product to ''.
	requiredColumns = map[string]bool{
		"period": true, "reporter_iso3": true, "partner_iso3": true, "flow": true, "hs_code": true,
		"edition": true, "commodity": true, "year": true, "country_iso3": true, "measure": true,
		"value": true, "unit": true,
	}
	tradeColumns   = canonColumns(etl.TradeFlowsSpec)
	mineralColumns = canonColumns(etl.MineralStatisticsSpec)
)

// canonColumns lists the columns a sheet can map for a table.
func canonColumns(s etl.TableSpec) []canon {
	var out []canon
	for _, f := range s.DataColumns() {
		kind, ok := columnKinds[f.Name]
		if !ok {
			panic("sheet: no way to read column " + f.Name + " of " + string(s.Table))
		}
		out = append(out, canon{f.Name, kind, requiredColumns[f.Name]})
	}
	return out
}

func columnsOf(t etl.Table) []canon {
	if t == etl.MineralStatistics {
		return mineralColumns
	}
	return tradeColumns
}

// mapping is a validated config: where each canonical column comes from.
type mapping struct {
	table        etl.Table
	sheet        string
	headerRow    int // 1-based
	headerRows   int // 0 = from the merged cells
	delimiter    rune
	decimalComma bool
	sourceName   string
	columns      []colMap          // canonical columns read from the file, in canonical order
	constants    map[string]string // canonical column -> value for every row
	constVals    map[string]any    // the constants, parsed
	multipliers  map[string]float64
	fingerprint  string // hash of everything that changes how a file loads
}

// colMap maps a canonical column to the file's header text.
type colMap struct {
	canon
	header string
}

// constant returns the constant of a column, if any.
func (m *mapping) constant(col string) (string, bool) {
	v, ok := m.constants[col]
	return v, ok
}

// parseMapping validates the nested parts of a config, naming each field
// at fault.
func parseMapping(cfg etl.Config) (*mapping, error) {
	var probs []error
	bad := func(field, format string, a ...any) {
		probs = append(probs, etl.Problem{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	r := cfg.Reads()
	m := &mapping{
		table:        etl.Table(r.String("table")),
		sheet:        strings.TrimSpace(r.String("sheet")),
		headerRow:    r.Int("header_row"),
		headerRows:   r.Int("header_rows"),
		sourceName:   r.String("source_name"),
		decimalComma: r.String("decimal") == ",",
		constants:    map[string]string{}, constVals: map[string]any{}, multipliers: map[string]float64{},
	}
	delimiter, rawCols, rawConst, rawMul := r.String("delimiter"), r.Map("columns"), r.Map("constants"), r.Map("multipliers")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if m.table != etl.TradeFlows && m.table != etl.MineralStatistics {
		bad("table", "must be %s or %s, got %q", etl.TradeFlows, etl.MineralStatistics, m.table)
		return nil, errors.Join(probs...)
	}
	if m.headerRow == 0 {
		m.headerRow = 1
	}
	if m.headerRow < 1 {
		bad("header_row", "must be 1 or more (the spreadsheet's row number), got %d", m.headerRow)
	}
	if m.headerRows < 0 || m.headerRows > 5 {
		bad("header_rows", "must be 1 to 5 (0 or absent: from the merged header cells), got %d", m.headerRows)
	}
	if m.sourceName == "" {
		m.sourceName = Kind
	}
	switch d := delimiter; {
	case d == "" || d == ",":
		m.delimiter = ','
	case d == `\t` || d == "tab" || d == "\t":
		m.delimiter = '\t'
	case len([]rune(d)) == 1 && d != `"` && d != "\n" && d != "\r":
		m.delimiter = []rune(d)[0]
	default:
		bad("delimiter", "must be one character such as , ; or tab, got %q", d)
	}

	cols := columnsOf(m.table)
	known := map[string]canon{}
	var names []string
	for _, c := range cols {
		known[c.name] = c
		names = append(names, c.name)
	}
	unknown := func(field, key string) {
		bad(field+"."+key, "not a column of %s (known: %s)", m.table, strings.Join(names, ", "))
	}

	headers := map[string]string{}
	for _, k := range sortedKeys(rawCols) {
		if _, ok := known[k]; !ok {
			unknown("columns", k)
			continue
		}
		h, ok := scalarText(rawCols[k])
		if !ok || strings.TrimSpace(h) == "" {
			bad("columns."+k, "must be the file's header text, got %v", rawCols[k])
			continue
		}
		headers[k] = h
	}
	for _, k := range sortedKeys(rawConst) {
		c, ok := known[k]
		if !ok {
			unknown("constants", k)
			continue
		}
		v, ok := scalarText(rawConst[k])
		if !ok {
			bad("constants."+k, "must be a single value, got %v", rawConst[k])
			continue
		}
		if strings.TrimSpace(v) == "" && c.required {
			bad("constants."+k, "must not be empty")
			continue
		}
		// A constant is checked once here rather than rejected on every row.
		pv, err := parseValue(c.kind, v, cellCtx{})
		if err != nil {
			bad("constants."+k, "%v", err)
			continue
		}
		m.constants[k], m.constVals[k] = strings.TrimSpace(v), pv
	}
	for _, k := range sortedKeys(rawMul) {
		c, ok := known[k]
		if !ok {
			unknown("multipliers", k)
			continue
		}
		if c.kind != kNumber && c.kind != kQualified {
			bad("multipliers."+k, "only numeric columns take a multiplier")
			continue
		}
		f, ok := number(rawMul[k])
		if !ok || f <= 0 {
			bad("multipliers."+k, "must be a positive number, got %v", rawMul[k])
			continue
		}
		m.multipliers[k] = f
	}

	for _, c := range cols {
		h, mapped := headers[c.name]
		if mapped {
			m.columns = append(m.columns, colMap{canon: c, header: h})
		}
		if _, isConst := m.constants[c.name]; c.required && !mapped && !isConst {
			if c.kind == kQualified {
				bad("columns."+c.name, "is required: map it to the header of the figures")
			} else {
				bad("columns."+c.name, "is required: map it to a header, or give it in constants")
			}
		}
	}
	if m.table == etl.MineralStatistics {
		if _, ok := headers["value"]; !ok {
			if _, isConst := m.constants["value"]; isConst {
				bad("constants.value", "value must come from a column, not a constant")
			}
		}
	} else if headers["value_usd"] == "" && headers["net_weight_kg"] == "" && headers["quantity"] == "" {
		bad("columns", "map at least one of value_usd, net_weight_kg, quantity")
	}
	if len(probs) > 0 {
		return nil, errors.Join(probs...)
	}
	m.fingerprint = fingerprint(m)
	return m, nil
}

// fingerprint identifies how files are read: a changed mapping loads every
// file again, since rows loaded under the old one may be wrong.
func fingerprint(m *mapping) string {
	b, _ := json.Marshal(map[string]any{
		"table": m.table, "sheet": m.sheet, "header_row": m.headerRow, "header_rows": m.headerRows,
		"delimiter": string(m.delimiter), "decimal_comma": m.decimalComma, "source_name": m.sourceName,
		"columns": headerList(m.columns), "constants": m.constants, "multipliers": m.multipliers,
	})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func headerList(cs []colMap) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name + "=" + c.header
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// scalarText renders a YAML scalar as text: headers and constants may be
// written as numbers (a header "2023", a constant period 2023).
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}
