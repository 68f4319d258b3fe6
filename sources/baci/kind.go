// Package baci loads CEPII BACI bulk files (BACI_HS17_Y2022_V202401.csv:
// t,i,j,k,v,q). BACI reconciles what exporters and importers declare, so
// each row is one flow; it is loaded as an import of the importer j from
// the exporter i. A year is about 11 million rows, so the parser works on
// raw bytes, filters on the product code before parsing anything else and
// builds Arrow arrays directly, batch by batch.
package baci

import (
	"fmt"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// Kind is the source kind name.
const Kind = "baci"

// Spec is the config spec of the baci kind.
var Spec = etl.Spec{
	{Name: "paths", Type: etl.TypeStrings, Required: true,
		Doc: "BACI files or glob patterns (e.g. data/BACI_HS17_Y*_V202401.csv); a pattern matching nothing is an error"},
	{Name: "country_codes", Type: etl.TypeString,
		Doc: "BACI country_codes_V*.csv mapping its numeric codes to ISO3 (default: the one next to each data file, else the M49 codes of the countries table)"},
	{Name: "hs_codes", Type: etl.TypeStrings, Default: etl.AllGroupCodes(),
		Doc: `HS code prefixes to keep (default: the codes of every commodity group); ["*"] keeps every product`},
	{Name: "reporters", Type: etl.TypeStrings,
		Doc: "importers to keep, ISO3 (e.g. USA, DEU); empty keeps every importer"},
	{Name: "batch_rows", Type: etl.TypeInt, Default: etl.DefaultBatchRows,
		Doc: "rows per Arrow batch: memory use is bounded by a few batches, whatever the file size"},
	etl.FollowLinksField,
}

func init() {
	etl.Register(etl.Kind{
		Name: Kind, Summary: "CEPII BACI bulk CSV (reconciled bilateral flows, HS6), loaded as imports",
		Table: etl.TradeFlows, Spec: Spec, FileArgs: "paths", New: newSource,
		Check: etl.CheckBy(func(c etl.Config) error { _, err := parseConfig(c); return err }),
	})
}

// defaultBatchRows is 20 DuckDB vectors. The warehouse streams batches
// into one INSERT, so a smaller batch costs no statement overhead, and it
// keeps the batches in flight (parsed, queued, being converted) to a few
// MiB: with the full etl.DefaultBatchRows a 10M-row load peaked about
// 60 MiB higher.
const defaultBatchRows = 40960

// options are a validated config.
type options struct {
	paths        []string
	followLinks  bool
	countryCodes string
	prefixes     []string // nil keeps every product
	reporters    map[string]bool
	batchRows    int
}

func parseConfig(cfg etl.Config) (options, error) {
	r := cfg.Reads()
	o := options{paths: r.Strings("paths"), followLinks: r.Bool("follow_links"), countryCodes: r.String("country_codes"), batchRows: r.Int("batch_rows")}
	codes, reporters := r.Strings("hs_codes"), r.Strings("reporters")
	if err := r.Err(); err != nil {
		return o, err
	}
	if len(o.paths) == 0 {
		return o, fmt.Errorf("paths: give at least one file")
	}
	if o.batchRows <= 0 {
		o.batchRows = defaultBatchRows
	}
	if !cfg.Has("hs_codes") {
		codes = etl.AllGroupCodes()
	}
	all := false
	for i, c := range codes {
		c = strings.TrimSpace(c)
		switch {
		case c == "*":
			all = true
		case len(c) < 2 || len(c) > 6 || !etl.ValidHSCode(c):
			return o, fmt.Errorf("hs_codes: item %d %q is not an HS prefix of 2 to 6 digits (BACI is HS6)", i+1, c)
		default:
			o.prefixes = append(o.prefixes, c)
		}
	}
	if len(codes) == 0 {
		return o, fmt.Errorf(`hs_codes: empty list would load nothing; use ["*"] for every product`)
	}
	if all {
		o.prefixes = nil
	}
	for i, r := range reporters {
		c, ok := etl.CountryByISO3(r)
		if !ok {
			return o, fmt.Errorf("reporters: item %d %q is not a known ISO3 code", i+1, r)
		}
		if o.reporters == nil {
			o.reporters = map[string]bool{}
		}
		o.reporters[c.ISO3] = true
	}
	return o, nil
}

func newSource(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
	o, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Source{opts: o, rt: rt}, nil
}
