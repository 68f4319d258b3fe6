package usgsmcs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// Measures of the canonical vocabulary (see the package comment).
const (
	mProduction = "production"
	mPrice      = "price"
	mEmployment = "employment"
	mNIR        = "net_import_reliance"
	mReserves   = "reserves"
	mCapacity   = "capacity"
	mUnlabelled = "unlabelled"
)

// measureWord maps a word of a column name to a measure and the product
// word it implies ("Mine" is production of product "mine").
var measureWord = map[string][2]string{
	"usprod": {mProduction, ""}, "prod": {mProduction, ""}, "production": {mProduction, ""},
	"quantity": {mProduction, "quantity"},
	"mine":     {mProduction, "mine"}, "refinery": {mProduction, "refinery"},
	"imports": {"imports", ""}, "import": {"imports", ""},
	"exports": {"exports", ""}, "export": {"exports", ""},
	"consump": {"consumption", ""}, "consumption": {"consumption", ""}, "consumtion": {"consumption", ""},
	"apparent": {"consumption", "apparent"}, "apprnt": {"consumption", "apparent"},
	"price": {mPrice, ""}, "prices": {mPrice, ""},
	"stocks": {"stocks", ""}, "stock": {"stocks", ""},
	"employment": {mEmployment, ""},
	"nir":        {mNIR, ""},
	"shipments":  {"shipments", ""},
	"sales":      {"sales", ""}, "sold": {"sales", ""},
	"reserves": {mReserves, ""},
	"cap":      {mCapacity, ""}, "capacity": {mCapacity, ""},
}

// unlabelledPrefix is what the USGS export wrote where a column label was
// lost ("CASE STATEMENT ERRORkt").
const unlabelledPrefix = "CASE STATEMENT ERROR"

// statCol is a statistics column of a table.
type statCol struct {
	idx      int
	name     string // the file's own column name
	measure  string
	product  string
	rawUnit  string    // published suffix, for unitErrata
	unit     unitDef   // valid when hasUnit
	alts     []unitDef // "Price_dt dlb (both used)": one unit per repeat of the name
	hasUnit  bool
	year     int    // world tables: year in the name, 0 when none
	world    string // world tables: prod, cap or reserves
	repeat   int    // how many earlier columns have the same name
	rejectAs string // non-empty: every figure of the column is rejected so
}

// nameTokens splits a column name into words at '_' and ','.
func nameTokens(name string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == ',' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// splitUnit takes the unit off the end of the tokens: a token of its own,
// several units in one token, or a suffix glued to the last word.
// A glued suffix is read the way the measure expects: a price takes a
// price unit first (Price_WO3dt), other measures never take one
// (Consump_Reportedt is t, not dollars per t).
func splitUnit(toks []string, price bool) (rest []string, raw string, u unitDef, alts []unitDef, ok bool) {
	if len(toks) == 0 {
		return toks, "", unitDef{}, nil, false
	}
	last := toks[len(toks)-1]
	if d, found := lookupUnit(last); found && len(toks) > 1 {
		return toks[:len(toks)-1], strings.ToLower(last), d, nil, true
	}
	if f := strings.Fields(last); len(f) > 1 {
		for _, w := range f {
			if d, found := lookupUnit(w); found {
				alts = append(alts, d)
			}
		}
		if len(alts) > 1 {
			return toks[:len(toks)-1], strings.ToLower(f[0]), alts[0], alts, true
		}
		alts = nil
	}
	if _, isMeasure := measureWord[strings.ToLower(last)]; isMeasure {
		return toks, "", unitDef{}, nil, false
	}
	low := strings.ToLower(last)
	for _, wantPrice := range []bool{true, false} {
		if wantPrice && !price {
			continue
		}
		for _, suf := range gluedSuffixes {
			d := units[suf]
			if (d.kind == kindPrice) != wantPrice || len(low) <= len(suf) || !strings.HasSuffix(low, suf) ||
				!strings.ContainsAny(low[:len(low)-len(suf)], "aeiouy") {
				// the word left must be a word: "msqft" is not "msqf" in tonnes
				continue
			}
			t := append(append([]string{}, toks[:len(toks)-1]...), last[:len(last)-len(suf)])
			return t, suf, d, nil, true
		}
	}
	return toks, "", unitDef{}, nil, false
}

// unknownUnit reads a last name token that no unit table knows but that is
// written as units are (lower case letters only, where product words are
// capitalised): "msqft" in Products_msqft, million square feet of gypsum
// wallboard. It keeps its own name and is never converted; lookups of a
// table's mass unit (Consump_) never take it, and UnknownUnits lists it.
func unknownUnit(tok string) (unitDef, bool) {
	if len(tok) < 2 || strings.ToLower(tok) != tok {
		return unitDef{}, false
	}
	if _, isMeasure := measureWord[tok]; isMeasure {
		return unitDef{}, false
	}
	for _, r := range tok {
		if r < 'a' || r > 'z' {
			return unitDef{}, false
		}
	}
	return unitDef{unit: tok, kind: kindUnknown}, true
}

// productWords spells out abbreviations that vary between tables and
// editions, so that one product keeps one slug.
var productWords = map[string]string{
	"apprnt": "apparent", "rprtd": "reported", "compds": "compounds", "cmpds": "compounds",
	"mtl": "metal", "seconday": "secondary",
}

// productOf slugs words into a product: "Compounds-Metals" -> compounds-metals.
func productOf(words []string) string {
	var parts []string
	for _, w := range words {
		for _, s := range strings.Split(etl.Slug(w), "_") {
			if s == "" {
				continue
			}
			if full, ok := productWords[s]; ok {
				s = full
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "-")
}

// firstMeasure is the measure of the first measure word of toks, or "".
func firstMeasure(toks []string) string {
	for _, t := range toks {
		if m, ok := measureWord[strings.ToLower(t)]; ok {
			return m[0]
		}
	}
	return ""
}

// parseSalientColumn recognises a salient statistics column by pattern.
func parseSalientColumn(idx int, name string) (statCol, error) {
	c := statCol{idx: idx, name: name}
	body := name
	unlabelled := strings.HasPrefix(strings.ToUpper(body), unlabelledPrefix)
	if unlabelled {
		body = body[len(unlabelledPrefix):]
	}
	toks := nameTokens(body)
	if d, ok := lookupUnit(body); ok && unlabelled {
		// only a unit is left once the label was lost: "CASE STATEMENT ERRORkt"
		toks, c.rawUnit, c.unit, c.hasUnit = nil, strings.ToLower(strings.TrimSpace(body)), d, true
	} else {
		toks, c.rawUnit, c.unit, c.alts, c.hasUnit = splitUnit(toks, firstMeasure(toks) == mPrice)
	}
	if !c.hasUnit && len(toks) > 1 {
		if u, ok := unknownUnit(toks[len(toks)-1]); ok {
			toks, c.rawUnit, c.unit, c.hasUnit = toks[:len(toks)-1], u.unit, u, true
		}
	}
	var before, after []string
	found := false
	for _, t := range toks {
		if !found {
			if m, ok := measureWord[strings.ToLower(t)]; ok {
				c.measure, found = m[0], true
				if m[1] != "" {
					after = append(after, m[1])
				}
				continue
			}
			before = append(before, t)
			continue
		}
		if m, ok := measureWord[strings.ToLower(t)]; ok && m[0] == c.measure && m[1] == "" {
			continue // NIR_NIR_pct
		}
		after = append(after, t)
	}
	switch {
	case found:
	case unlabelled:
		c.measure = mUnlabelled
		if c.hasUnit && c.unit.kind == kindPrice {
			c.measure = mPrice
		}
		after, before = before, nil
	case c.hasUnit && len(before) > 0:
		// an unknown measure word is kept as its slug, not dropped
		c.measure = etl.Slug(before[0])
		after, before = before[1:], nil
	default:
		return c, fmt.Errorf("no measure word (USprod, Imports, Price, NIR, ...) and no unit suffix (_t, _kg, _pct, ...)")
	}
	c.product = productOf(append(before, after...))
	c.force()
	return c, nil
}

// force applies the units that a measure implies whatever the suffix says.
func (c *statCol) force() {
	switch {
	case c.measure == mNIR:
		c.unit, c.hasUnit, c.alts = pctUnit, true, nil
	case c.measure == mEmployment:
		c.unit, c.hasUnit, c.alts = employeesUnit, true, nil
	case c.measure == mPrice && c.product == "index":
		c.unit, c.hasUnit, c.alts = indexUnit, true, nil
	case c.measure == mPrice && c.hasUnit && c.alts == nil && c.unit.kind != kindPrice && c.unit.kind != kindMoney:
		// a price under a plain quantity unit is dollars per that unit
		// (Price_Flake_t in MCS2022: USD per tonne; Price_kg: USD per kg);
		// under a multiple (kt, mct) the tables mean dollars per the base
		// unit as often as per the multiple, so those stay rejected
		if per, ok := pricePer[c.rawUnit]; ok {
			c.unit = unitDef{per, 0, kindPrice}
			return
		}
		c.rejectAs = fmt.Sprintf("price column with the quantity unit %q: the price's unit is not stated", c.rawUnit)
	}
}

// pricePer gives the price unit of a price column whose suffix is a plain
// quantity unit.
var pricePer = map[string]string{"t": "usd_per_t", "kg": "usd_per_kg", "ct": "usd_per_carat"}

// worldWords are the first words of world-table statistics columns.
var worldWords = map[string]string{
	"prod": "prod", "production": "prod", "cap": "cap", "capacity": "cap", "reserves": "reserves",
}

// parseWorldColumn recognises Prod_t_2022, Prod_kt_est_2023, Reserves_t,
// Reserves_ore_K2O_equiv_kt, Cap_Sponge_t_2023 and the like.
func parseWorldColumn(idx int, name string) (statCol, error) {
	c := statCol{idx: idx, name: name}
	toks := nameTokens(name)
	if len(toks) == 0 {
		return c, fmt.Errorf("empty column name")
	}
	w, ok := worldWords[strings.ToLower(toks[0])]
	if !ok {
		return c, fmt.Errorf("not a world-table column (Prod_, Cap_, Reserves_ or *_notes)")
	}
	c.world = w
	var prod []string
	for _, t := range toks[1:] {
		low := strings.ToLower(t)
		if y, err := strconv.Atoi(t); err == nil && len(t) == 4 {
			c.year = y
			continue
		}
		if low == "est" || low == "e" {
			continue // an estimate is not part of the key: see the package comment
		}
		if d, ok := lookupUnit(t); ok && !c.hasUnit {
			c.rawUnit, c.unit, c.hasUnit = low, d, true
			continue
		}
		prod = append(prod, t)
	}
	if !c.hasUnit {
		return c, fmt.Errorf("no unit (_t, _kt, _kg, ...) in the column name")
	}
	if c.year == 0 && w != "reserves" {
		return c, fmt.Errorf("no year in the column name")
	}
	c.product = productOf(prod)
	return c, nil
}

// unitFor returns a column's unit for a commodity (unitErrata) and the
// repeat of its name (alts).
func (c *statCol) unitFor(commodity string) unitDef {
	if c.alts != nil && c.repeat < len(c.alts) {
		return c.alts[c.repeat]
	}
	if fixed, ok := unitErrata[[2]string{commodity, c.rawUnit}]; ok {
		return units[fixed]
	}
	return c.unit
}
