// Package census loads US merchandise trade from the US Census Bureau's
// international trade API (the monthly imports/hs and exports/hs
// endpoints): US imports and exports by partner country and HS-based
// commodity code, at 6 or 10 digits.
package census

import (
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Names and defaults of the kind.
const (
	KindName       = "census"
	DefaultBaseURL = "https://api.census.gov"
	DefaultKeyEnv  = "CENSUS_API_KEY"
)

// Spec is the config spec of the `census` kind.
var Spec = etl.Spec{
	{Name: "base_url", Type: etl.TypeString, Default: DefaultBaseURL, Doc: "API root"},
	{Name: "flows", Type: etl.TypeStrings, Default: []string{FlowImport, FlowExport}, Enum: []string{FlowImport, FlowExport},
		Doc: "import (imports/hs endpoint) and/or export (exports/hs endpoint)"},
	{Name: "level", Type: etl.TypeString, Default: LevelHS6, Enum: []string{LevelHS6, LevelHS10},
		Doc: "commodity detail: HS6 subheadings or HS10 national lines (HTS for imports, Schedule B for exports)"},
	{Name: "commodities", Type: etl.TypeStrings, Enum: etl.GroupSlugs(), Doc: "commodity groups whose HS codes are requested"},
	{Name: "hs_codes", Type: etl.TypeStrings,
		Doc: "explicit HS codes, in addition to the groups' codes; a code shorter than the level asks for every code under it"},
	{Name: "from", Type: etl.TypeString, Required: true, Doc: "first month: YYYY-MM (a bare YYYY means its January)"},
	{Name: "to", Type: etl.TypeString,
		Doc: "last month: YYYY-MM (a bare YYYY means its December); default the current month, so a nightly run picks up each new release"},
	{Name: "countries", Type: etl.TypeStrings,
		Doc: "partner countries, ISO3 (WLD for the world total); empty means every partner"},
	{Name: "value_field", Type: etl.TypeString, Default: ValueGeneral, Enum: []string{ValueGeneral, ValueConsumption},
		Doc: "import value: GEN_VAL_MO general imports or CON_VAL_MO imports for consumption (exports always use ALL_VAL_MO)"},
	{Name: "api_key_env", Type: etl.TypeString, Default: DefaultKeyEnv, Secret: true,
		Doc: "environment variable holding the API key; without one the API allows 500 requests a day"},
	{Name: "rate_per_second", Type: etl.TypeFloat, Default: 2.0, Doc: "requests per second at most"},
	{Name: "timeout", Type: etl.TypeDuration, Default: 60 * time.Second, Doc: "per request attempt"},
	{Name: "max_attempts", Type: etl.TypeInt, Default: 5, Doc: "tries per request on 429, 5xx and timeouts"},
	{Name: "retry_wait", Type: etl.TypeDuration, Default: time.Second, Doc: "first wait between tries, doubled each time (with jitter)"},
}

func init() {
	etl.Register(etl.Kind{
		Name: KindName, Summary: "US Census Bureau international trade API (monthly US imports and exports by HS code)",
		Table: etl.TradeFlows, Spec: Spec, New: newSource,
		Check: etl.CheckBy(func(c etl.Config) error { _, err := ParseConfig(c, time.Now().UTC()); return err }),
	})
}
