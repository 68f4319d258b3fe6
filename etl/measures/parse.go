package measures

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/yamlpos"
)

//go:embed default.csv
var defaultCSV []byte

// Default returns the project's curated measures (origin "default").
func Default() []Measure {
	ms, err := parse("default.csv", DefaultOrigin, defaultCSV, nil)
	if err != nil {
		panic("measures: the embedded default is invalid: " + err.Error())
	}
	return ms
}

// DefaultIDs is the set of the default measures' ids.
func DefaultIDs() map[string]bool {
	out := map[string]bool{}
	for _, m := range Default() {
		out[m.ID] = true
	}
	return out
}

// Fields are the columns of a CSV measure file and the keys of a YAML one.
var Fields = []string{"measure_id", "imposing_iso3", "target_iso3", "measure_type", "commodity", "title",
	"announced_date", "effective_date", "end_date", "status", "suspends_measure_id", "hs_codes",
	"hs_revision", "citation", "unsourced"}

var required = map[string]bool{"measure_id": true, "imposing_iso3": true, "measure_type": true,
	"title": true, "effective_date": true, "hs_codes": true, "citation": true}

// ReadFile reads and validates a measure file (.csv, .yaml or .yml).
// known holds ids a suspends_measure_id may name besides the file's own
// (the default measures, for instance).
func ReadFile(path string, known map[string]bool) ([]Measure, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, path, data, known)
}

// parse validates the measure file data, named name (its extension
// chooses CSV or YAML); origin is what the measures record as theirs.
func parse(name, origin string, data []byte, known map[string]bool) ([]Measure, error) {
	var recs []record
	var probs etl.FileProblems
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		recs, probs = csvRecords(name, data)
	case ".yaml", ".yml":
		recs, probs = yamlRecords(name, data)
	default:
		return nil, fmt.Errorf("%s: a measure file is .csv, .yaml or .yml", name)
	}
	c := &checker{file: name}
	c.probs = probs
	var out []Measure
	seen := map[string]int{}
	for _, r := range recs {
		m, ok := c.measure(r)
		if !ok {
			continue
		}
		if first, dup := seen[m.ID]; dup {
			c.add(r, "measure_id", "measure %q is also on line %d", m.ID, first)
			continue
		}
		seen[m.ID] = r.line
		m.Origin = origin
		out = append(out, m)
	}
	for _, m := range out {
		if m.Suspends != "" && seen[m.Suspends] == 0 && !known[m.Suspends] {
			c.probs = append(c.probs, prob(name, m.Line, 1, "suspends_measure_id",
				fmt.Sprintf("no measure %q in this file or the default list", m.Suspends)))
		}
	}
	if len(c.probs) > 0 {
		return nil, c.sorted()
	}
	if len(out) == 0 {
		return nil, etl.FileProblems{prob(name, 1, 1, "", "no measures in the file")}
	}
	return out, nil
}

// record is one measure as written: each field's text and where it is.
type record struct {
	line   int
	col    int
	values map[string]string
	lists  map[string][]string // YAML lists (target_iso3, hs_codes)
	pos    map[string][2]int
}

func csvRecords(name string, data []byte) ([]record, etl.FileProblems) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := etl.NewCSVReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, etl.FileProblems{prob(name, 1, 1, "", "no header row: "+err.Error())}
	}
	if !knownColumn(header) {
		// not a measures file: listing its "columns" would quote its first line
		return nil, etl.FileProblems{prob(name, 1, 1, "", "no known column (known: "+strings.Join(Fields, ", ")+
			"): the first line begins "+etl.Excerpt(strings.Join(header, ",")))}
	}
	var probs etl.FileProblems
	cols := map[int]string{}
	have := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if !contains(Fields, h) {
			l, col := r.FieldPos(i)
			probs = append(probs, prob(name, l, col, h, "unknown column (known: "+strings.Join(Fields, ", ")+")"))
			continue
		}
		cols[i] = h
		have[h] = true
	}
	for _, f := range Fields {
		if required[f] && !have[f] {
			probs = append(probs, prob(name, 1, 1, f, "required column missing"))
		}
	}
	var out []record
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// a record that failed has no fields to ask the position of
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs = append(probs, prob(name, pe.Line, pe.Column, "", pe.Err.Error()))
				return out, probs
			}
			return out, append(probs, prob(name, 1, 1, "", err.Error()))
		}
		line, _ := r.FieldPos(0)
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		rd := record{line: line, values: map[string]string{}, pos: map[string][2]int{}}
		for i, v := range rec {
			f, ok := cols[i]
			if !ok {
				continue
			}
			l, c := r.FieldPos(i)
			rd.values[f] = strings.TrimSpace(v)
			rd.pos[f] = [2]int{l, c}
		}
		out = append(out, rd)
	}
	return out, probs
}

// knownColumn reports whether a header names any measure field.
func knownColumn(header []string) bool {
	for _, h := range header {
		if contains(Fields, strings.ToLower(strings.TrimSpace(h))) {
			return true
		}
	}
	return false
}

func yamlRecords(name string, data []byte) ([]record, etl.FileProblems) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		msg := err.Error()
		line, col := 1, 1
		if m := yamlPos.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
			fmt.Sscan(m[2], &col)
		}
		return nil, etl.FileProblems{prob(name, line, col, "", "not valid YAML: "+firstLine(msg))}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, etl.FileProblems{prob(name, 1, 1, "", "empty file: want a list under measures:")}
	}
	var se *yamlpos.SizeError
	if errors.As(yamlpos.CheckSize(f.Docs[0].Body), &se) {
		return nil, etl.FileProblems{prob(name, se.Line, se.Col, "", se.Message)}
	}
	body := unwrap(f.Docs[0].Body)
	var seq *ast.SequenceNode
	if m, ok := body.(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			k := mv.Key.GetToken()
			if k != nil && k.Value == "measures" {
				seq, _ = unwrap(mv.Value).(*ast.SequenceNode)
			} else if k != nil {
				return nil, etl.FileProblems{prob(name, k.Position.Line, k.Position.Column, k.Value, "unknown key (a measure file has measures: only)")}
			}
		}
	} else if s, ok := body.(*ast.SequenceNode); ok {
		seq = s
	}
	if seq == nil {
		l, c := yamlpos.Start(body)
		return nil, etl.FileProblems{prob(name, l, c, "measures", "want a list of measures under measures:")}
	}
	var out []record
	var probs etl.FileProblems
	for _, item := range seq.Values {
		m, ok := unwrap(item).(*ast.MappingNode)
		l, c := yamlpos.Start(item)
		if !ok {
			probs = append(probs, prob(name, l, c, "", "a measure is a mapping of its fields"))
			continue
		}
		rd := record{line: l, col: c, values: map[string]string{}, lists: map[string][]string{}, pos: map[string][2]int{}}
		for _, mv := range m.Values {
			k := mv.Key.GetToken()
			if k == nil {
				continue
			}
			key := strings.ToLower(k.Value)
			if !contains(Fields, key) {
				probs = append(probs, prob(name, k.Position.Line, k.Position.Column, key, "unknown field (known: "+strings.Join(Fields, ", ")+")"))
				continue
			}
			vl, vc := yamlpos.Start(mv.Value)
			rd.pos[key] = [2]int{vl, vc}
			switch v := unwrap(mv.Value).(type) {
			case *ast.SequenceNode:
				var items []string
				for _, e := range v.Values {
					items = append(items, strings.TrimSpace(scalar(e)))
				}
				rd.lists[key] = items
			case *ast.NullNode:
			default:
				rd.values[key] = strings.TrimSpace(scalar(v))
			}
		}
		out = append(out, rd)
	}
	return out, probs
}

var yamlPos = regexp.MustCompile(`\[(\d+):(\d+)\]`)

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

func scalar(n ast.Node) string {
	n = unwrap(n)
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if t := n.GetToken(); t != nil {
		return t.Value
	}
	return ""
}

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

// list is a field's items: a YAML list, or text split on ';' or ','.
func (r record) list(field string) []string {
	if l, ok := r.lists[field]; ok {
		return l
	}
	v := r.values[field]
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
		out = append(out, s)
	}
	return out
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
	if m.Type != "" && !contains(Types, m.Type) {
		c.add(r, "measure_type", "must be one of %s, got %q", strings.Join(Types, ", "), m.Type)
	}
	var slugs []string
	for _, s := range r.list("commodity") {
		s = strings.ToLower(s)
		if !contains(etl.GroupSlugs(), s) {
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
	} else if !contains(Statuses, m.Status) {
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

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

func prob(file string, line, col int, field, msg string) etl.FileProblem {
	return etl.FileProblem{File: file, Line: line, Col: col, Path: field, Message: msg}
}
