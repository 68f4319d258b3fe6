package yamlpos

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// Limits on what a file a person writes may hold. An alias repeats its
// anchor's whole value, so a 1 KB file of nested aliases decodes to
// gigabytes; decoding builds every copy, so the limits are checked on the
// parsed tree, before decoding, with each alias counted as what it repeats.
const (
	MaxValues = 100_000 // values (scalars, lists, mappings) with aliases expanded
	MaxItems  = 10_000  // items in one list
)

// SizeError is where a document first exceeds a limit, and which.
type SizeError struct {
	Line, Col int
	Message   string
}

func (e *SizeError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Message) }

// CheckSize returns a *SizeError when the document n exceeds MaxValues or
// MaxItems, and nil otherwise. It takes time in proportion to the tree,
// not to its expansion.
func CheckSize(n ast.Node) error {
	s := sizer{anchors: map[string]int{}}
	s.walk(n)
	if s.err != nil {
		return s.err
	}
	return nil
}

type sizer struct {
	total   int            // values so far, aliases expanded
	anchors map[string]int // values an alias of each anchor repeats
	err     *SizeError
}

func (s *sizer) walk(n ast.Node) {
	if n == nil || s.err != nil {
		return
	}
	switch n := n.(type) {
	case *ast.DocumentNode:
		s.walk(n.Body)
	case *ast.AnchorNode:
		before := s.total
		s.walk(n.Value)
		if t := n.Name.GetToken(); t != nil {
			s.anchors[t.Value] = s.total - before
		}
	case *ast.AliasNode:
		if t := n.Value.GetToken(); t != nil {
			s.add(s.anchors[t.Value], n)
		}
	case *ast.TagNode:
		s.walk(n.Value)
	case *ast.MappingKeyNode:
		s.walk(n.Value)
	case *ast.MappingValueNode:
		s.walk(n.Key)
		s.walk(n.Value)
	case *ast.MappingNode:
		s.add(1, n)
		for _, v := range n.Values {
			s.walk(v)
		}
	case *ast.SequenceNode:
		if len(n.Values) > MaxItems {
			l, c := Start(n)
			s.err = &SizeError{l, c, fmt.Sprintf("a list of %d items: at most %d are allowed", len(n.Values), MaxItems)}
			return
		}
		s.add(1, n)
		for _, v := range n.Values {
			s.walk(v)
		}
	default:
		s.add(1, n)
	}
}

// add counts k values at n.
func (s *sizer) add(k int, n ast.Node) {
	if s.total += k; s.total <= MaxValues || s.err != nil {
		return
	}
	l, c := Start(n)
	msg := fmt.Sprintf("more than %d values in the file: at most %d are allowed", MaxValues, MaxValues)
	if _, alias := n.(*ast.AliasNode); alias {
		msg = fmt.Sprintf("aliases expand the file to more than %d values (each alias repeats its anchor's whole value): at most %d are allowed",
			MaxValues, MaxValues)
	}
	s.err = &SizeError{l, c, msg}
}
