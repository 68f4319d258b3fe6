package measures

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// checker accumulates the problems of one file.
type checker struct {
	file  string
	probs etl.FileProblems
}

func (c *checker) add(r record, field, format string, a ...any) {
	p, ok := r.pos[field]
	if !ok {
		p = [2]int{r.line, max(r.col, 1)}
	}
	c.probs = append(c.probs, prob(c.file, p[0], p[1], field, fmt.Sprintf(format, a...)))
}

func (c *checker) sorted() etl.FileProblems {
	ps := c.probs
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && (ps[j].Line < ps[j-1].Line || ps[j].Line == ps[j-1].Line && ps[j].Col < ps[j-1].Col); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	return ps
}

var hsCode = regexp.MustCompile(`^\d{2,10}$`)

var revision = regexp.MustCompile(`^HS\d{4}$|^H[0-6]$`)

// measure checks one record, reporting each problem at its field.
func (c *checker) measure(r record) (Measure, bool) {
	n := len(c.probs)
	m := Measure{Line: r.line}
	for _, f := range Fields { // in their order, so a file's problems read the same each time
		if !required[f] || f == "hs_codes" {
			continue // hs_codes is checked with unsourced below
		}
		if r.values[f] == "" && len(r.lists[f]) == 0 {
			c.add(r, f, "is required")
		}
	}
	m.ID = r.values["measure_id"]
	if m.ID != "" && strings.ContainsAny(m.ID, " \t;,") {
		c.add(r, "measure_id", "%q: an id has no spaces, commas or semicolons", m.ID)
	}
	if v := r.values["imposing_iso3"]; v != "" {
		m.Imposing = c.country(r, "imposing_iso3", v)
	}
	for _, t := range r.list("target_iso3") {
		if iso := c.country(r, "target_iso3", t); iso != "" {
			m.Targets = append(m.Targets, iso)
		}
	}
	m.Type = strings.ToLower(r.values["measure_type"])
	if m.Type != "" && !slices.Contains(Types, m.Type) {
		c.add(r, "measure_type", "must be one of %s, got %q", strings.Join(Types, ", "), m.Type)
	}
	var slugs []string
	for _, s := range r.list("commodity") {
		s = strings.ToLower(s)
		if !slices.Contains(etl.GroupSlugs(), s) {
			c.add(r, "commodity", "%q is no commodity group (known: %s)", s, strings.Join(etl.GroupSlugs(), ", "))
			continue
		}
		slugs = append(slugs, s)
	}
	m.Commodity = strings.Join(slugs, ",")
	m.Title = r.values["title"]
	m.Announced = c.date(r, "announced_date")
	m.Effective = c.date(r, "effective_date")
	m.End = c.date(r, "end_date")
	if !m.End.IsZero() && !m.Effective.IsZero() && m.End.Before(m.Effective) {
		c.add(r, "end_date", "%s is before the effective date %s", day(m.End), day(m.Effective))
	}
	if !m.Announced.IsZero() && !m.Effective.IsZero() && m.Effective.Before(m.Announced) {
		c.add(r, "effective_date", "%s is before the announcement %s", day(m.Effective), day(m.Announced))
	}
	m.Status = strings.ToLower(r.values["status"])
	if m.Status == "" {
		m.Status = "in_force"
	} else if !slices.Contains(Statuses, m.Status) {
		c.add(r, "status", "must be one of %s, got %q", strings.Join(Statuses, ", "), m.Status)
	}
	m.Suspends = r.values["suspends_measure_id"]
	if (m.Type == Suspension || m.Type == Lifting) && m.Suspends == "" {
		c.add(r, "suspends_measure_id", "a %s names the measure it suspends or lifts", m.Type)
	}
	if m.Suspends != "" && m.Suspends == m.ID {
		c.add(r, "suspends_measure_id", "a measure cannot suspend itself")
	}
	rev := strings.ToUpper(r.values["hs_revision"])
	if rev != "" && !revision.MatchString(rev) {
		c.add(r, "hs_revision", "%q: want HS2017, HS2022, ...", rev)
	}
	seen := map[string]bool{}
	for _, item := range r.list("hs_codes") {
		code, crev, _ := strings.Cut(item, "@")
		code = strings.ReplaceAll(code, ".", "")
		crev = strings.ToUpper(crev)
		if crev == "" {
			crev = rev
		}
		switch {
		case !hsCode.MatchString(code):
			c.add(r, "hs_codes", "%q is not an HS code of 2 to 10 digits", item)
		case crev != "" && !revision.MatchString(crev):
			c.add(r, "hs_codes", "%q: want CODE or CODE@HS2022", item)
		case seen[code]:
			c.add(r, "hs_codes", "%s is listed twice", code)
		default:
			seen[code] = true
			m.Codes = append(m.Codes, Code{code, crev})
		}
	}
	m.Citation = r.values["citation"]
	m.Unsourced = r.values["unsourced"]
	// A measure on no goods (a ban on exporting technologies) has no code;
	// its unsourced says so, so an empty list is never an oversight.
	if len(r.list("hs_codes")) == 0 && !strings.Contains(m.Unsourced, "hs_codes") {
		c.add(r, "hs_codes", "is required (a measure no HS code covers says why in unsourced, e.g. \"hs_codes: technologies only\")")
	}
	// The status is computed from the dates when read; an end the dates
	// do not give would read in force.
	if m.Status == "ended" && m.End.IsZero() && r.values["end_date"] == "" {
		c.add(r, "status", "ended: give the end_date (a measure's status is computed from its dates)")
	}
	return m, len(c.probs) == n
}

func (c *checker) country(r record, field, v string) string {
	if co, ok := etl.CountryByISO3(v); ok {
		return co.ISO3
	}
	if co, ok := etl.CountryByName(v); ok && co.ISO3 != etl.WorldISO3 {
		return co.ISO3
	}
	c.add(r, field, "unknown country %q (want an ISO 3166 alpha-3 code)", v)
	return ""
}

func (c *checker) date(r record, field string) time.Time {
	v := r.values[field]
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.add(r, field, "%q is not a date YYYY-MM-DD", v)
		return time.Time{}
	}
	return t
}
