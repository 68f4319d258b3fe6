// Package comtrade loads UN Comtrade trade records: CSV exports with the
// API's field names (comtrade-csv), saved v1 response bodies
// (comtrade-json) and the live v1 API (comtrade). All three share one
// record mapper, so the same record loads the same way from any of them.
package comtrade

import (
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Kind names.
const (
	KindCSV  = "comtrade-csv"
	KindJSON = "comtrade-json"
	KindAPI  = "comtrade"
)

// SourceName is the source value of every Comtrade row, whichever kind
// read it: the same record from the API, a saved response or a saved CSV
// is one record of one source, so loading it through two forms leaves one
// row (source_ref, the file or request, keeps the form).
const SourceName = "comtrade"

// DefaultKeyEnv is the environment variable read for the API key.
const DefaultKeyEnv = "COMTRADE_API_KEY"

var pathsField = etl.Field{Name: "paths", Type: etl.TypeStrings, Required: true,
	Doc: "files or glob patterns (e.g. data/comtrade/*.csv); a pattern matching nothing is an error"}

// APISpec is the config spec of the `comtrade` kind.
var APISpec = etl.Spec{
	{Name: "base_url", Type: etl.TypeString, Default: DefaultBaseURL, Doc: "API root"},
	{Name: "freq", Type: etl.TypeString, Default: "A", Enum: []string{"A", "M"}, Doc: "annual or monthly data"},
	{Name: "reporters", Type: etl.TypeStrings, Required: true, Doc: "reporting countries, ISO3 (e.g. USA, CHN)"},
	{Name: "partners", Type: etl.TypeStrings, Doc: "partner countries, ISO3 (WLD for the world total); empty means every partner"},
	{Name: "commodities", Type: etl.TypeStrings, Enum: etl.GroupSlugs(), Doc: "commodity groups whose HS codes are requested"},
	{Name: "hs_codes", Type: etl.TypeStrings, Doc: "explicit HS codes, in addition to the groups' codes"},
	{Name: "flows", Type: etl.TypeStrings, Default: []string{"M", "X"}, Enum: []string{"M", "X", "RM", "RX"},
		Doc: "M import, X export, RM re-import, RX re-export"},
	{Name: "from", Type: etl.TypeString, Required: true, Doc: "first period: YYYY, or YYYYMM for monthly data"},
	{Name: "to", Type: etl.TypeString, Doc: "last period (default: from)"},
	{Name: "partner2_code", Type: etl.TypeString, Default: "0",
		Doc: "second-partner filter; 0 asks for totals only ('' asks for every breakdown, which are then rejected as such)"},
	{Name: "mot_code", Type: etl.TypeString, Default: "0", Doc: "mode-of-transport filter; 0 is the total"},
	{Name: "customs_code", Type: etl.TypeString, Default: "C00", Doc: "customs-procedure filter; C00 is the total"},
	{Name: "rate_per_second", Type: etl.TypeFloat, Default: 1.0, Doc: "requests per second at most"},
	{Name: "max_rows", Type: etl.TypeInt,
		Doc: "rows per request; a response this long was truncated and is split (default 500 keyless, 100000 with a key)"},
	{Name: "api_key_env", Type: etl.TypeString, Default: DefaultKeyEnv, Secret: true,
		Doc: "environment variable holding the subscription key; without a key the 500-row preview endpoint is used"},
	{Name: "timeout", Type: etl.TypeDuration, Default: 60 * time.Second, Doc: "per request attempt"},
	{Name: "max_attempts", Type: etl.TypeInt, Default: 5, Doc: "tries per request on 429, 5xx and timeouts"},
	{Name: "retry_wait", Type: etl.TypeDuration, Default: time.Second, Doc: "first wait between tries, doubled each time (with jitter)"},
	{Name: "replay", Type: etl.TypeBool, Default: false,
		Doc: "serve every request from the raw landing zone instead of the network (the same key presence picks the same endpoint)"},
}

func init() {
	etl.Register(etl.Kind{
		Name: KindCSV, Summary: "UN Comtrade records saved as CSV with the API's field names",
		Table: etl.TradeFlows, Spec: etl.Spec{pathsField, etl.FollowLinksField}, FileArgs: "paths",
		New: func(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
			return newFileSource(KindCSV, cfg, rt, readCSV)
		},
	})
	etl.Register(etl.Kind{
		Name: KindJSON, Summary: "UN Comtrade v1 API response bodies saved to files",
		Table: etl.TradeFlows, Spec: etl.Spec{pathsField, etl.FollowLinksField}, FileArgs: "paths",
		New: func(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
			return newFileSource(KindJSON, cfg, rt, readJSON)
		},
	})
	etl.Register(etl.Kind{
		Name: KindAPI, Summary: "UN Comtrade API v1 (keyed get endpoint, or the keyless preview)",
		Table: etl.TradeFlows, Spec: APISpec, New: newAPISource,
		Check: etl.CheckBy(func(c etl.Config) error { _, err := ParseAPIConfig(c, false); return err }),
	})
}
