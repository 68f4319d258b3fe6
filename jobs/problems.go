package jobs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/yamlpos"
)

// pos is where a path's key and value start in the file.
type pos struct{ keyLine, keyCol, valLine, valCol int }

// indexPositions records the position of every mapping key and sequence
// item under n, keyed by path ("jobs[0].config.freq").
func indexPositions(n ast.Node, path string, idx map[string]pos) {
	switch n := n.(type) {
	case *ast.AnchorNode:
		indexPositions(n.Value, path, idx)
	case *ast.TagNode:
		indexPositions(n.Value, path, idx)
	case *ast.MappingNode:
		for _, mv := range n.Values {
			k := mv.Key.GetToken()
			if k == nil || mv.Value == nil {
				continue
			}
			p := join(path, k.Value)
			vl, vc := yamlpos.Start(mv.Value)
			idx[p] = pos{k.Position.Line, k.Position.Column, vl, vc}
			indexPositions(mv.Value, p, idx)
		}
	case *ast.SequenceNode:
		for i, v := range n.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			l, c := yamlpos.Start(v)
			idx[p] = pos{l, c, l, c}
			indexPositions(v, p, idx)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// parent trims the last segment of a path: "a.b[1]" → "a.b" → "a" → "".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// checker accumulates problems for one file.
type checker struct {
	file  string
	idx   map[string]pos
	probs etl.FileProblems
}

// locate returns the position of path, or of its nearest ancestor present in
// the file when the key itself is absent (a missing required field is
// reported on the line of the mapping that lacks it).
func (c *checker) locate(path string, atKey bool) (int, int) {
	for p, first := path, true; ; p, first = parent(p), false {
		if q, ok := c.idx[p]; ok {
			if atKey || !first {
				return q.keyLine, q.keyCol
			}
			return q.valLine, q.valCol
		}
		if p == "" {
			return 1, 1
		}
	}
}

// key reports a problem at path's key (unknown or missing keys).
func (c *checker) key(path, format string, args ...any) {
	l, col := c.locate(path, true)
	c.probs = append(c.probs, etl.FileProblem{File: c.file, Line: l, Col: col, Path: path, Message: fmt.Sprintf(format, args...)})
}

// val reports a problem at path's value (bad values).
func (c *checker) val(path, format string, args ...any) {
	l, col := c.locate(path, false)
	c.probs = append(c.probs, etl.FileProblem{File: c.file, Line: l, Col: col, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) sorted() etl.FileProblems {
	sort.SliceStable(c.probs, func(i, j int) bool {
		a, b := c.probs[i], c.probs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return c.probs
}
