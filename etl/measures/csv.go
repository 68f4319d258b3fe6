package measures

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

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
		if !slices.Contains(Fields, h) {
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
		if slices.Contains(Fields, strings.ToLower(strings.TrimSpace(h))) {
			return true
		}
	}
	return false
}
