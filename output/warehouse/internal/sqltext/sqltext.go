// Package sqltext fills SQL templates whose dynamic parts are named, so a
// statement joining many tables and column lists reads as SQL rather than
// as a count of %s.
package sqltext

import (
	"fmt"
	"slices"
	"strings"
)

// Parts names the text each ${name} of a template stands for.
type Parts map[string]string

// Fill replaces each ${name} in tmpl with parts[name]. A name the parts
// lack, or a part the template never names, panics: both are mistakes in
// the code that builds the statement, found by any test that runs it.
func Fill(tmpl string, parts Parts) string {
	var b strings.Builder
	used := make(map[string]bool, len(parts))
	rest := tmpl
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			panic(fmt.Sprintf("sqltext: unclosed ${ in %q", tmpl))
		}
		name := rest[i+2 : i+j]
		v, ok := parts[name]
		if !ok {
			panic(fmt.Sprintf("sqltext: no part named %q for %q", name, tmpl))
		}
		used[name] = true
		b.WriteString(rest[:i])
		b.WriteString(v)
		rest = rest[i+j+1:]
	}
	if len(used) < len(parts) {
		var unused []string
		for name := range parts {
			if !used[name] {
				unused = append(unused, name)
			}
		}
		slices.Sort(unused)
		panic(fmt.Sprintf("sqltext: parts %v are not in %q", unused, tmpl))
	}
	return b.String()
}
