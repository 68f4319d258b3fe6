package usgsmcs

import (
	"sort"
	"strings"
)

// unitKind groups units by what they measure, to tell a price from a
// quantity.
type unitKind int

const (
	kindMass unitKind = iota
	kindPrice
	kindPercent
	kindCount // carats, cubic metres, employees
	kindMoney
	kindUnknown // a suffix the tables below do not know: kept as written
)

// unitDef is a published unit suffix: its base unit and the power of ten
// that turns a published figure into that base unit.
type unitDef struct {
	unit string
	exp  int
	kind unitKind
}

var units = map[string]unitDef{
	"t":     {"t", 0, kindMass},
	"kt":    {"t", 3, kindMass},
	"mmt":   {"t", 6, kindMass},
	"mt":    {"t", 6, kindMass}, // "Reserves_mt" notes say million metric tons
	"kg":    {"kg", 0, kindMass},
	"g":     {"kg", -3, kindMass},
	"dkg":   {"usd_per_kg", 0, kindPrice},
	"dg":    {"usd_per_kg", 3, kindPrice},
	"dt":    {"usd_per_t", 0, kindPrice},
	"dst":   {"usd_per_short_ton", 0, kindPrice},
	"dct":   {"usd_per_carat", 0, kindPrice},
	"dlb":   {"usd_per_lb", 0, kindPrice},
	"ctslb": {"usd_per_lb", -2, kindPrice},
	"dtoz":  {"usd_per_troy_oz", 0, kindPrice},
	"dto":   {"usd_per_troy_oz", 0, kindPrice},
	"df":    {"usd_per_flask", 0, kindPrice},
	"mdol":  {"usd", 6, kindMoney},
	"pct":   {"pct", 0, kindPercent},
	"ct":    {"carats", 0, kindCount},
	"kct":   {"carats", 3, kindCount},
	"mct":   {"carats", 6, kindCount},
	"mcm":   {"m3", 6, kindCount},
	"num":   {"employees", 0, kindCount},
	"um":    {"employees", 0, kindCount},
	"m":     {"employees", 0, kindCount},
}

// unitErrata corrects unit suffixes the publisher got wrong, by commodity
// slug and published suffix: gallium's Exports_g, Consump_g and Stocks_g
// hold kilograms like the rest of its table (US consumption is about 19 t).
var unitErrata = map[[2]string]string{
	{"gallium", "g"}: "kg",
}

// priceErrata gives the unit of price columns whose plain quantity suffix
// is not the one the price is quoted in, by commodity slug and column name:
// the MCS zirconium text quotes zirconium sponge and unwrought hafnium in
// dollars per kilogram beside zircon in dollars per tonne, all under _t.
var priceErrata = map[[2]string]string{
	{"zirconium_and_hafnium", "Price_Zircon_sponge_CN_t"}: "usd_per_kg",
	{"zirconium_and_hafnium", "Price_Hf_unwrought_t"}:     "usd_per_kg",
}

// mtuPrices gives the unit of the prices of commodities that the MCS
// quotes per metric ton unit (mtu, 1% of a tonne) under the suffix _dt, by
// commodity slug: tungsten in "dollars per mtu WO3" (10 kg of WO3),
// manganese ore in "dollars per mtu contained Mn" (10 kg of Mn). Read as
// dollars per tonne they would be 100 times too small; the unit USGS uses
// is kept rather than converted, as the tonne of what is not stated.
var mtuPrices = map[string]string{
	"tungsten":  "usd_per_mtu_wo3",
	"manganese": "usd_per_mtu_mn",
}

var (
	pctUnit       = unitDef{"pct", 0, kindPercent}
	employeesUnit = unitDef{"employees", 0, kindCount}
	indexUnit     = unitDef{"index", 0, kindCount}
)

// gluedSuffixes lists unit suffixes longest first, so that "dkg" wins
// over "kg" and "g" when a unit is glued to a word (Price_High-puritydkg).
var gluedSuffixes = func() []string {
	var s []string
	for k := range units {
		s = append(s, k)
	}
	sort.Slice(s, func(i, j int) bool {
		if len(s[i]) != len(s[j]) {
			return len(s[i]) > len(s[j])
		}
		return s[i] < s[j]
	})
	return s
}()

// lookupUnit finds a unit suffix, case-insensitively.
func lookupUnit(s string) (unitDef, bool) {
	u, ok := units[strings.ToLower(strings.TrimSpace(s))]
	return u, ok
}
