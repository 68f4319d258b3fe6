// Package yamlpos says where a node of a parsed YAML file begins, or where
// a parse error points, for problems reported at a line and column (job
// configs, measure files).
package yamlpos

import "github.com/goccy/go-yaml/ast"

// Start is where a node's text begins, 1-based. For a block mapping the
// parser's token is the first ':', so the first key is used instead.
func Start(n ast.Node) (line, col int) {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
		if t := m.Values[0].Key.GetToken(); t != nil {
			return t.Position.Line, t.Position.Column
		}
	}
	if t := n.GetToken(); t != nil {
		return t.Position.Line, t.Position.Column
	}
	return 1, 1
}
