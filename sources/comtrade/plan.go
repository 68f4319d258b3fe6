package comtrade

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// Limits of the Comtrade API that the plan respects.
const (
	MaxPeriods     = 12   // periods per request
	MaxURLLen      = 4095 // characters of a request URL
	PreviewMaxRows = 500  // the keyless preview endpoint's cap
	GetMaxRows     = 100000
	DefaultBaseURL = "https://comtradeapi.un.org"
)

// APIConfig is a parsed `comtrade` config.
type APIConfig struct {
	BaseURL   string
	Freq      string   // A or M
	Reporters []int    // M49 codes
	Partners  []int    // M49 codes; nil means every partner
	CmdCodes  []string // HS codes
	Flows     []string // M, X, RM, RX
	Periods   []string // YYYY or YYYYMM, ascending
	// Breakdown filters; "" leaves a parameter out.
	Partner2, Mot, Customs string
	MaxRows                int  // a response with this many rows was truncated
	Keyed                  bool // use the keyed get endpoint
}

// Request is one API call of a plan.
type Request struct {
	Reporters []int
	Partners  []int // nil: all partners
	Periods   []string
	CmdCodes  []string
	Flows     []string
}

// ParseAPIConfig reads a validated config. keyed says whether an API key
// is available, which picks the endpoint and the default max_rows.
func ParseAPIConfig(cfg etl.Config, keyed bool) (APIConfig, error) {
	var probs []error
	bad := func(field, format string, a ...any) {
		probs = append(probs, etl.Problem{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	r := cfg.Reads()
	c := APIConfig{BaseURL: strings.TrimRight(r.String("base_url"), "/"), Freq: r.String("freq"), Keyed: keyed,
		Partner2: r.String("partner2_code"), Mot: r.String("mot_code"), Customs: r.String("customs_code"),
		MaxRows: r.Int("max_rows")}
	reporters, partners, commodities, hsCodes := r.Strings("reporters"), r.Strings("partners"), r.Strings("commodities"), r.Strings("hs_codes")
	flowList, from, to := r.Strings("flows"), r.String("from"), r.String("to")
	if err := r.Err(); err != nil {
		return c, err
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("base_url", "%q is not an http(s) URL", c.BaseURL)
	}
	if c.Freq == "" {
		c.Freq = "A"
	}
	if c.Freq != "A" && c.Freq != "M" {
		bad("freq", "must be A or M, got %q", c.Freq)
	}
	if c.MaxRows <= 0 {
		c.MaxRows = PreviewMaxRows
		if keyed {
			c.MaxRows = GetMaxRows
		}
	}
	if !keyed && c.MaxRows > PreviewMaxRows {
		// The preview endpoint stops at 500 rows whatever is asked; a larger
		// limit would hide truncation.
		c.MaxRows = PreviewMaxRows
	}
	for _, iso := range etl.UniqueStrings(reporters) {
		ct, ok := etl.CountryByISO3(strings.ToUpper(iso))
		if !ok || ct.IsArea {
			bad("reporters", "%q is not a known reporting country (ISO3)", iso)
			continue
		}
		c.Reporters = append(c.Reporters, ct.M49)
	}
	if len(c.Reporters) == 0 && len(probs) == 0 {
		bad("reporters", "give at least one reporter")
	}
	for _, iso := range etl.UniqueStrings(partners) {
		ct, ok := etl.CountryByISO3(strings.ToUpper(iso))
		if !ok {
			bad("partners", "%q is not a known country (ISO3; WLD for the world)", iso)
			continue
		}
		c.Partners = append(c.Partners, ct.M49)
	}
	codes, unknown := etl.CodesOfGroups(commodities)
	for _, g := range unknown {
		bad("commodities", "unknown commodity group %q (known: %s)", g, strings.Join(etl.GroupSlugs(), ", "))
	}
	for _, h := range hsCodes {
		n := etl.NormalizeHSCode(h)
		if !etl.ValidHSCode(n) {
			bad("hs_codes", "%q is not an HS code of 2 to 10 digits", h)
		}
		codes = append(codes, n)
	}
	c.CmdCodes = etl.UniqueStrings(codes)
	if len(c.CmdCodes) == 0 && len(probs) == 0 {
		bad("commodities", "give commodity groups or hs_codes")
	}
	c.Flows = etl.UniqueStrings(flowList)
	if len(c.Flows) == 0 {
		c.Flows = []string{"M", "X"}
	}
	for _, f := range c.Flows {
		if flows[f] == "" {
			bad("flows", "%q is not M, X, RM or RX", f)
		}
	}
	var err error
	if c.Periods, err = expandPeriods(c.Freq, from, to); err != nil {
		bad("from", "%v", err)
	}
	if len(probs) > 0 {
		return c, fmt.Errorf("comtrade config: %w", errors.Join(probs...))
	}
	return c, nil
}

// expandPeriods lists the periods from..to: years for A, months for M (a
// bare year then means all its months).
func expandPeriods(freq, from, to string) ([]string, error) {
	if to == "" {
		to = from
	}
	if from == "" {
		return nil, errors.New("from is required (YYYY or YYYYMM)")
	}
	ff, fs, err := etl.PeriodStart(from)
	if err != nil {
		return nil, err
	}
	tf, ts, err := etl.PeriodStart(to)
	if err != nil {
		return nil, err
	}
	if freq == "A" && (ff != "A" || tf != "A") {
		return nil, fmt.Errorf("annual data needs years, got from %q to %q", from, to)
	}
	if freq == "M" && tf == "A" {
		ts = ts.AddDate(0, 11, 0) // to a year means up to its December
	}
	if ts.Before(fs) {
		return nil, fmt.Errorf("to %q is before from %q", to, from)
	}
	var out []string
	for t := fs; !t.After(ts); {
		if freq == "A" {
			out = append(out, t.Format("2006"))
			t = t.AddDate(1, 0, 0)
		} else {
			out = append(out, t.Format("200601"))
			t = t.AddDate(0, 1, 0)
		}
		if len(out) > 2400 {
			return nil, errors.New("more than 2400 periods: narrow from/to")
		}
	}
	return out, nil
}

// Endpoint is the data endpoint: keyed get, or the keyless preview.
func (c APIConfig) Endpoint() string {
	if c.Keyed {
		return c.BaseURL + "/data/v1/get/C/" + c.Freq + "/HS"
	}
	return c.BaseURL + "/public/v1/preview/C/" + c.Freq + "/HS"
}

// URL is the request URL of r (the key travels in a header, never here).
func (c APIConfig) URL(r Request) string {
	q := []string{"reporterCode=" + joinInts(r.Reporters), "period=" + join(r.Periods)}
	if len(r.Partners) > 0 {
		q = append(q, "partnerCode="+joinInts(r.Partners))
	}
	if c.Partner2 != "" {
		q = append(q, "partner2Code="+url.QueryEscape(c.Partner2))
	}
	q = append(q, "cmdCode="+join(r.CmdCodes), "flowCode="+join(r.Flows))
	if c.Customs != "" {
		q = append(q, "customsCode="+url.QueryEscape(c.Customs))
	}
	if c.Mot != "" {
		q = append(q, "motCode="+url.QueryEscape(c.Mot))
	}
	q = append(q, "maxRecords="+strconv.Itoa(c.MaxRows), "includeDesc=false")
	return c.Endpoint() + "?" + strings.Join(q, "&")
}

// join keeps commas literal: the API takes comma lists, and escaping them
// would triple the length of every list.
func join(l []string) string {
	e := make([]string, len(l))
	for i, s := range l {
		e[i] = url.QueryEscape(s)
	}
	return strings.Join(e, ",")
}

func joinInts(l []int) string {
	e := make([]string, len(l))
	for i, n := range l {
		e[i] = strconv.Itoa(n)
	}
	return strings.Join(e, ",")
}

// Plan lists the requests of a config: at most MaxPeriods periods each and
// URLs of at most MaxURLLen characters. It is pure, so it can be checked
// without the network.
func Plan(c APIConfig) []Request {
	var out []Request
	for i := 0; i < len(c.Periods); i += MaxPeriods {
		r := Request{Reporters: c.Reporters, Partners: c.Partners, CmdCodes: c.CmdCodes, Flows: c.Flows,
			Periods: c.Periods[i:min(i+MaxPeriods, len(c.Periods))]}
		out = append(out, fitURL(c, r)...)
	}
	return out
}

// fitURL halves the longest list of r until every URL fits.
func fitURL(c APIConfig, r Request) []Request {
	if len(c.URL(r)) <= MaxURLLen {
		return []Request{r}
	}
	lens := map[string]int{
		"cmd": len(join(r.CmdCodes)), "reporter": len(joinInts(r.Reporters)),
		"partner": len(joinInts(r.Partners)), "period": len(join(r.Periods)),
	}
	best := ""
	for _, k := range []string{"cmd", "reporter", "partner", "period"} {
		if n := count(r, k); n > 1 && (best == "" || lens[k] > lens[best]) {
			best = k
		}
	}
	if best == "" {
		return []Request{r} // nothing left to split; the server will say what it thinks
	}
	a, b := r.halve(best)
	return append(fitURL(c, a), fitURL(c, b)...)
}

func count(r Request, dim string) int {
	switch dim {
	case "period":
		return len(r.Periods)
	case "cmd":
		return len(r.CmdCodes)
	case "reporter":
		return len(r.Reporters)
	case "partner":
		return len(r.Partners)
	case "flow":
		return len(r.Flows)
	}
	return 0
}

// halve splits r in two along one dimension.
func (r Request) halve(dim string) (Request, Request) {
	a, b := r, r
	switch dim {
	case "period":
		a.Periods, b.Periods = halves(r.Periods)
	case "cmd":
		a.CmdCodes, b.CmdCodes = halves(r.CmdCodes)
	case "reporter":
		a.Reporters, b.Reporters = halves(r.Reporters)
	case "partner":
		a.Partners, b.Partners = halves(r.Partners)
	case "flow":
		a.Flows, b.Flows = halves(r.Flows)
	}
	return a, b
}

// halves cuts s in its first and second half.
func halves[T any](s []T) ([]T, []T) { return s[:len(s)/2], s[len(s)/2:] }

// Split divides a request whose response was truncated: by period first,
// then commodity codes, then reporters (then partners and flows when they
// were listed). It returns nil when r cannot be divided further.
func (r Request) Split() []Request {
	for _, dim := range []string{"period", "cmd", "reporter", "partner", "flow"} {
		if count(r, dim) > 1 {
			a, b := r.halve(dim)
			return []Request{a, b}
		}
	}
	return nil
}
