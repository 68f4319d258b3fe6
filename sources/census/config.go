package census

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Config values.
const (
	FlowImport       = etl.FlowImport
	FlowExport       = etl.FlowExport
	LevelHS6         = "HS6"
	LevelHS10        = "HS10"
	ValueGeneral     = "GEN_VAL_MO" // general imports: everything entering the US
	ValueConsumption = "CON_VAL_MO" // imports for consumption: excludes goods into bonded warehouses and FTZs
)

// WorldCode is the CTY_CODE of the total over all countries.
const WorldCode = "-"

// Config is a parsed `census` config.
type Config struct {
	BaseURL    string
	Flows      []string // import, export
	Level      string   // HS6 or HS10
	Codes      []string // HS codes of at most Level digits, no code under another
	From, To   time.Time
	Countries  []string // Schedule C codes ("-" the world); nil means every partner
	ValueField string   // import value variable
}

// Digits is the length of a code at the config's level.
func (c Config) Digits() int {
	if c.Level == LevelHS10 {
		return 10
	}
	return 6
}

// ParseConfig reads a validated config. now is the clock that fills a
// missing `to` with the current month.
func ParseConfig(cfg etl.Config, now time.Time) (Config, error) {
	var probs []error
	bad := func(field, format string, a ...any) {
		probs = append(probs, etl.Problem{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	r := cfg.Reads()
	c := Config{BaseURL: strings.TrimRight(r.String("base_url"), "/"), Level: r.String("level"),
		ValueField: r.String("value_field")}
	flows, commodities, hsCodes, countries := r.Strings("flows"), r.Strings("commodities"), r.Strings("hs_codes"), r.Strings("countries")
	from, to := r.String("from"), r.String("to")
	if err := r.Err(); err != nil {
		return c, err
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("base_url", "%q is not an http(s) URL", c.BaseURL)
	}
	if c.Level == "" {
		c.Level = LevelHS6
	}
	if c.Level != LevelHS6 && c.Level != LevelHS10 {
		bad("level", "must be HS6 or HS10, got %q", c.Level)
	}
	if c.ValueField == "" {
		c.ValueField = ValueGeneral
	}
	if c.ValueField != ValueGeneral && c.ValueField != ValueConsumption {
		bad("value_field", "must be %s or %s, got %q", ValueGeneral, ValueConsumption, c.ValueField)
	}
	c.Flows = etl.UniqueStrings(flows)
	if len(c.Flows) == 0 {
		c.Flows = []string{FlowImport, FlowExport}
	}
	for _, f := range c.Flows {
		if f != FlowImport && f != FlowExport {
			bad("flows", "%q is not import or export", f)
		}
	}
	codes, unknown := etl.CodesOfGroups(commodities)
	for _, g := range unknown {
		bad("commodities", "unknown commodity group %q (known: %s)", g, strings.Join(etl.GroupSlugs(), ", "))
	}
	for _, h := range hsCodes {
		n := etl.NormalizeHSCode(h)
		switch {
		case !etl.ValidHSCode(n):
			bad("hs_codes", "%q is not an HS code of 2 to 10 digits", h)
			continue
		case len(n) > c.Digits():
			bad("hs_codes", "%q has more digits than level %s", h, c.Level)
			continue
		}
		codes = append(codes, n)
	}
	c.Codes = coverCodes(codes)
	if len(c.Codes) == 0 && len(probs) == 0 {
		bad("commodities", "give commodity groups or hs_codes")
	}
	for _, iso := range etl.UniqueStrings(countries) {
		if strings.EqualFold(iso, etl.WorldISO3) {
			c.Countries = append(c.Countries, WorldCode)
			continue
		}
		ct, ok := etl.CountryByISO3(iso)
		switch {
		case !ok:
			bad("countries", "%q is not a known country (ISO3; WLD for the world)", iso)
		case ct.Census == "":
			bad("countries", "%s (%s) has no Census Schedule C code", ct.ISO3, ct.Name)
		default:
			c.Countries = append(c.Countries, ct.Census)
		}
	}
	c.Countries = etl.UniqueStrings(c.Countries)
	var err error
	if c.From, err = month(from, false); err != nil {
		bad("from", "%v", err)
	}
	if to == "" {
		c.To = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	} else if c.To, err = month(to, true); err != nil {
		bad("to", "%v", err)
	}
	if !c.From.IsZero() && !c.To.IsZero() && c.To.Before(c.From) {
		bad("to", "%s is before from %s", c.To.Format("2006-01"), c.From.Format("2006-01"))
	}
	if len(probs) > 0 {
		return c, fmt.Errorf("census config: %w", errors.Join(probs...))
	}
	return c, nil
}

// month parses YYYY-MM, YYYYMM or YYYY (January, or December when end).
func month(s string, end bool) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, errors.New("is required (YYYY-MM)")
	}
	f, t, err := etl.PeriodStart(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a month YYYY-MM", s)
	}
	if f == "A" && end {
		t = t.AddDate(0, 11, 0)
	}
	return t, nil
}

// coverCodes sorts and dedupes codes and drops any code another one
// already covers (284610 under 2846): overlapping requests would load the
// same rows twice.
func coverCodes(codes []string) []string {
	codes = etl.UniqueStrings(codes)
	sort.Strings(codes) // a prefix sorts right before the codes under it
	var out []string
	for _, c := range codes {
		if n := len(out); n > 0 && strings.HasPrefix(c, out[n-1]) {
			continue
		}
		out = append(out, c)
	}
	return out
}
