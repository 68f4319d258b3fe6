package measures

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

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

func prob(file string, line, col int, field, msg string) etl.FileProblem {
	return etl.FileProblem{File: file, Line: line, Col: col, Path: field, Message: msg}
}
