package measures

import (
	_ "embed"
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
