package measures

import (
	"strings"
	"testing"
)

// A measures file is held to the YAML limits of a job config: a list
// longer than yamlpos.MaxItems is refused at its line and column.
func TestParseRefusesAnOverlongList(t *testing.T) {
	yml := "measures:\n  - measure_id: X-1\n    imposing_iso3: CHN\n    measure_type: ban\n    title: t\n" +
		"    effective_date: 2024-01-01\n    citation: c\n    hs_codes: [" + strings.Repeat("811292, ", 10_000) + "811299]\n"
	_, err := parse("m.yaml", "m.yaml", []byte(yml), nil)
	if want := "m.yaml:8:15: a list of 10001 items: at most 10000 are allowed"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("parse: %v, want %s", err, want)
	}
}
