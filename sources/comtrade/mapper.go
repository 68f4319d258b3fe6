package comtrade

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// getter returns a record's field by its Comtrade name; "" when absent or null.
type getter func(col string) string

// hsRevisions maps Comtrade classification codes to HS revisions.
var hsRevisions = map[string]string{
	"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007",
	"H4": "HS2012", "H5": "HS2017", "H6": "HS2022",
}

var flows = map[string]string{
	"M": etl.FlowImport, "X": etl.FlowExport, "RM": etl.FlowReImport, "RX": etl.FlowReExport,
}

// qtyUnits are UN Comtrade's quantity unit codes (the WCO standard units),
// used when a file was saved without description fields and so has a code
// but no qtyUnitAbbr. Code 1 means "no quantity" and -1 "not available".
var qtyUnits = map[int]string{
	2: "m2", 3: "1000 kWh", 4: "m", 5: "u", 6: "2u", 7: "l", 8: "kg", 9: "1000u",
	10: "U (jeu/pack)", 11: "12u", 12: "m3", 13: "carat",
}

// mapper turns Comtrade records into trade flows. The three kinds share it,
// so a CSV export, a saved response and a live call load identically.
type mapper struct {
	kind     string
	sink     etl.Sink
	w        *etl.TradeFlowWriter
	rejected int64 // rejected here, before the writer's own checks
	// seen, when set, skips records whose key was already written: a replay
	// reads newest responses first, so older copies are superseded.
	seen       map[flowKey]bool
	superseded int64
	records    int64 // records read, for files that held none
}

func newMapper(kind string, sink etl.Sink) *mapper {
	return &mapper{kind: kind, sink: sink, w: etl.NewTradeFlowWriter(sink, 0)}
}

// add maps one record and writes or rejects it.
func (m *mapper) add(ctx context.Context, ref string, row int64, get getter, raw string) error {
	m.records++
	tf, col, why := toFlow(get)
	if col != "" {
		m.rejected++
		return m.sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: SourceName, Ref: ref, Row: row,
			Column: col, Reason: etl.EscapeInvalidUTF8(why), Raw: etl.EscapeInvalidUTF8(raw)})
	}
	tf.Source, tf.Ref, tf.Row = SourceName, ref, row
	if m.seen != nil {
		k := flowKey{tf.Freq, tf.Reporter, tf.Partner, tf.Flow, tf.HSCode, tf.Period.Unix()}
		if m.seen[k] {
			m.superseded++
			return nil
		}
		m.seen[k] = true
	}
	return m.w.Add(ctx, tf)
}

func (m *mapper) close(ctx context.Context) error { return m.w.Close(ctx) }

// toFlow maps a record, or returns the Comtrade column at fault and why.
func toFlow(get getter) (tf etl.TradeFlow, column, reason string) {
	// Breakdowns by second partner, transport mode or customs procedure
	// repeat the total they sum to: loading them would count it twice.
	var parts []string
	for _, b := range []struct{ col, total string }{{"partner2Code", "0"}, {"motCode", "0"}, {"customsCode", "C00"}} {
		v := strings.TrimSpace(get(b.col))
		if v == "" || v == b.total {
			continue
		}
		if n, err := intCode(v); err == nil && b.total == "0" && n == 0 {
			continue
		}
		if column == "" {
			column = b.col
		}
		parts = append(parts, b.col+"="+v)
	}
	if column != "" {
		return tf, column, "breakdown row: " + strings.Join(parts, ", ") + " (only totals partner2Code=0, motCode=0, customsCode=C00 are loaded)"
	}

	tf.Freq = strings.TrimSpace(get("freqCode"))
	if tf.Freq != "A" && tf.Freq != "M" {
		return tf, "freqCode", fmt.Sprintf("freqCode %q is neither A nor M", tf.Freq)
	}
	pf, start, err := etl.PeriodStart(get("period"))
	if err != nil {
		return tf, "period", err.Error()
	}
	if pf != tf.Freq {
		return tf, "period", fmt.Sprintf("period %q does not match freqCode %s", get("period"), tf.Freq)
	}
	tf.Period = start

	if tf.Reporter, column, reason = country(get, "reporterCode"); column != "" {
		return tf, column, reason
	}
	if tf.Partner, column, reason = country(get, "partnerCode"); column != "" {
		return tf, column, reason
	}
	fc := strings.TrimSpace(get("flowCode"))
	if tf.Flow = flows[fc]; tf.Flow == "" {
		return tf, "flowCode", fmt.Sprintf("flowCode %q is not M, X, RM or RX", fc)
	}

	cmd := strings.TrimSpace(get("cmdCode"))
	if strings.EqualFold(cmd, etl.TotalCode) {
		// all commodities: kept as a code of its own (see etl.TotalCode)
		tf.HSCode = etl.TotalCode
	} else if tf.HSCode = etl.NormalizeHSCode(cmd); !etl.ValidHSCode(tf.HSCode) {
		return tf, "cmdCode", fmt.Sprintf("cmdCode %q is not an HS code of 2 to 10 digits", cmd)
	}
	if cl := strings.TrimSpace(get("classificationCode")); cl != "" {
		if tf.HSRevision = hsRevisions[cl]; tf.HSRevision == "" {
			return tf, "classificationCode", fmt.Sprintf("classificationCode %q is not an HS revision (H0 to H6)", cl)
		}
	}

	nums := []struct {
		col string
		dst **float64
	}{{"primaryValue", &tf.ValueUSD}, {"netWgt", &tf.NetWeightKg}, {"qty", &tf.Quantity}}
	for _, n := range nums {
		if *n.dst, column, reason = number(get, n.col); column != "" {
			return tf, column, reason
		}
	}
	if tf.ValueUSD == nil {
		// Imports are valued CIF, exports FOB: primaryValue is whichever applies.
		alt := "fobvalue"
		if tf.Flow == etl.FlowImport || tf.Flow == etl.FlowReImport {
			alt = "cifvalue"
		}
		if tf.ValueUSD, column, reason = number(get, alt); column != "" {
			return tf, column, reason
		}
	}
	if tf.QuantityUnit, column, reason = qtyUnit(get, "qtyUnitCode", "qtyUnitAbbr"); column != "" {
		return tf, column, reason
	}
	if column, reason = placeholders(get, &tf); column != "" {
		return tf, column, reason
	}
	if agg := strings.TrimSpace(get("isAggregate")); agg != "" {
		if tf.IsAggregate, err = strconv.ParseBool(agg); err != nil {
			return tf, "isAggregate", fmt.Sprintf("isAggregate %q is not true or false", agg)
		}
	}
	return tf, "", ""
}

// country maps an M49 code column to ISO3 (0 is the world).
func country(get getter, col string) (iso3, column, reason string) {
	v := strings.TrimSpace(get(col))
	n, err := intCode(v)
	if err != nil {
		return "", col, fmt.Sprintf("%s %q is not a numeric M49 code", col, v)
	}
	if n == 0 {
		return etl.WorldISO3, "", ""
	}
	c, ok := etl.CountryByM49(n)
	if !ok {
		return "", col, fmt.Sprintf("unknown %s %d (not in the countries table)", col, n)
	}
	return c.ISO3, "", ""
}

// intCode parses a code that a spreadsheet may have written as 842.0.
func intCode(s string) (int, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return int(f), nil
}

// number parses an optional numeric column strictly: empty is null, anything
// that is not a finite number is an error (never a silent zero).
func number(get getter, col string) (*float64, string, string) {
	v := strings.TrimSpace(get(col))
	if v == "" {
		return nil, "", ""
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, col, fmt.Sprintf("%s %q is not a number", col, v)
	}
	return &f, "", ""
}

// placeholders turns Comtrade's "not reported" placeholders into nulls and
// fills a missing quantity from the alternative one:
//   - qty 0 under qtyUnitCode -1 (not available) or 1 (no quantity) is no
//     quantity, not a quantity of zero;
//   - netWgt 0 beside a positive value is a weight that was not reported
//     (goods worth money weigh something), and so is qty 0 there;
//   - where qty is missing, altQty under altQtyUnitCode is the quantity;
//   - where netWgt is missing and the quantity is in kg, it is the weight.
func placeholders(get getter, tf *etl.TradeFlow) (column, reason string) {
	valued := tf.ValueUSD != nil && *tf.ValueUSD > 0
	if tf.Quantity != nil && *tf.Quantity == 0 && (tf.QuantityUnit == "" || valued) {
		tf.Quantity = nil
	}
	if tf.NetWeightKg != nil && *tf.NetWeightKg == 0 && valued {
		tf.NetWeightKg = nil
	}
	if tf.Quantity == nil {
		alt, col, why := number(get, "altQty")
		if col != "" {
			return col, why
		}
		unit, col, why := qtyUnit(get, "altQtyUnitCode", "altQtyUnitAbbr")
		if col != "" {
			return col, why
		}
		if alt != nil && unit != "" && !(*alt == 0 && valued) {
			tf.Quantity, tf.QuantityUnit = alt, unit
		}
	}
	if tf.Quantity == nil {
		tf.QuantityUnit = ""
	}
	if tf.NetWeightKg == nil && tf.Quantity != nil && tf.QuantityUnit == "kg" && *tf.Quantity > 0 {
		tf.NetWeightKg = etl.F(*tf.Quantity)
	}
	return "", ""
}

// qtyUnit reads a quantity unit from its code and abbreviation columns
// (qtyUnitCode/qtyUnitAbbr or altQtyUnitCode/altQtyUnitAbbr): "" when
// the code says no quantity (1) or not available (-1).
func qtyUnit(get getter, codeCol, abbrCol string) (unit, column, reason string) {
	abbr := strings.TrimSpace(get(abbrCol))
	code := strings.TrimSpace(get(codeCol))
	n := 0
	if code != "" {
		var err error
		if n, err = intCode(code); err != nil {
			return "", codeCol, fmt.Sprintf("%s %q is not a number", codeCol, code)
		}
		if n == -1 || n == 1 {
			return "", "", ""
		}
	}
	switch {
	case strings.EqualFold(abbr, "N/A"):
		return "", "", ""
	case abbr != "":
		return abbr, "", ""
	}
	return qtyUnits[n], "", ""
}
