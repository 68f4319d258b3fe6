package census

import (
	"net/url"
	"strings"
	"time"
)

// MaxMonths is the most months one request asks for.
const MaxMonths = 12

// Request is one API call of a plan.
type Request struct {
	Flow     string    // import or export
	Code     string    // HS code; shorter than the level means every code under it
	From, To time.Time // first and last month
	Country  string    // Schedule C code; "" means every partner
}

// Plan lists the requests of a config: one per flow, code, partner (when
// partners are listed) and calendar year. Whole calendar years keep a
// request's URL the same from one run to the next, so the landing zone and
// replay find it again. Plan is pure, so it can be checked without the
// network.
func Plan(c Config) []Request {
	countries := c.Countries
	if len(countries) == 0 {
		countries = []string{""}
	}
	var out []Request
	for _, flow := range c.Flows {
		for _, code := range c.Codes {
			for _, cty := range countries {
				for from := c.From; !from.After(c.To); {
					to := time.Date(from.Year(), 12, 1, 0, 0, 0, 0, time.UTC)
					if to.After(c.To) {
						to = c.To
					}
					out = append(out, Request{Flow: flow, Code: code, From: from, To: to, Country: cty})
					from = to.AddDate(0, 1, 0)
				}
			}
		}
	}
	return out
}

// endpoint dataset and variables of a flow.
type vars struct {
	path, commodity, value, quantity string
}

func (c Config) vars(flow string) vars {
	if flow == FlowExport {
		return vars{"exports/hs", "E_COMMODITY", "ALL_VAL_MO", "QTY_1_MO"}
	}
	qty := "GEN_QY1_MO"
	if c.ValueField == ValueConsumption {
		qty = "CON_QY1_MO" // the quantity that matches the value
	}
	return vars{"imports/hs", "I_COMMODITY", c.ValueField, qty}
}

// unitVar names the unit of the first quantity on both endpoints.
const unitVar = "UNIT_QY1"

// getVars are the variables a request asks for.
func (c Config) getVars(flow string) []string {
	v := c.vars(flow)
	return []string{v.commodity, "CTY_CODE", "CTY_NAME", v.value, v.quantity, unitVar}
}

// URL is the request URL of r. key, when not empty, travels as the key
// parameter, which the landing zone, logs and errors never show.
func (c Config) URL(r Request, key string) string {
	v := c.vars(r.Flow)
	code := r.Code
	if len(code) < c.Digits() {
		code += "*"
	}
	t := r.From.Format("2006-01")
	if !r.To.Equal(r.From) {
		t = "from " + t + " to " + r.To.Format("2006-01")
	}
	q := []string{
		"get=" + strings.Join(c.getVars(r.Flow), ","), // commas kept literal, as the API documents them
		v.commodity + "=" + code,                      // '*' kept literal: it is the API's wildcard
		"COMM_LVL=" + c.Level,
		"time=" + url.QueryEscape(t),
	}
	if r.Country != "" {
		q = append(q, "CTY_CODE="+url.QueryEscape(r.Country))
	}
	if key != "" {
		q = append(q, "key="+url.QueryEscape(key))
	}
	return c.BaseURL + "/data/timeseries/intltrade/" + v.path + "?" + strings.Join(q, "&")
}
