package measures

import (
	"errors"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/yamlpos"
)

func yamlRecords(name string, data []byte) ([]record, etl.FileProblems) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		line, col, _, ok := yamlpos.ErrorAt(err)
		if !ok {
			line, col = 1, 1
		}
		return nil, etl.FileProblems{prob(name, line, col, "", "not valid YAML: "+firstLine(err.Error()))}
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
			if !slices.Contains(Fields, key) {
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
