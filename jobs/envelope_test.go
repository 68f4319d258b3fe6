package jobs

import (
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// A key the checker reads must be a field of its section's spec, of the
// type it is read as: a misspelt read fails at once instead of reading
// nothing.
func TestSectionReadsOnlyFieldsOfItsSpec(t *testing.T) {
	s := section{map[string]any{"listen": "127.0.0.1:1"}, "http", httpSpec}
	if v := s.get("listen", etl.TypeString); v != "127.0.0.1:1" {
		t.Errorf("get listen = %v", v)
	}
	for name, read := range map[string]func(){
		"misspelt":   func() { s.get("listn", etl.TypeString) },
		"wrong type": func() { s.get("listen", etl.TypeInt) },
		"has":        func() { s.has("port") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			read()
		}()
	}
}

func TestEnvelopeDocNamesEveryKey(t *testing.T) {
	doc := EnvelopeDoc()
	for _, spec := range []etl.Spec{envelopeSpec, defaultsSpec, httpSpec, alertsSpec, ruleSpec, jobSpec} {
		for _, n := range spec.Names() {
			if !strings.Contains(doc, "  "+n+" ") {
				t.Errorf("EnvelopeDoc lacks %s", n)
			}
		}
	}
}
