package sql_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/sql"
)

// The settings the mart scripts read (`name = 'x'`, or `name IN ('x', ...)`
// for a list they check), and a read with a fallback of its own.
var (
	settingRead     = regexp.MustCompile(`FROM settings?\s+WHERE name = '([a-z0-9_]+)'`)
	settingListRead = regexp.MustCompile(`FROM settings\s+WHERE name IN \(([^)]*)\)`)
	settingFallback = regexp.MustCompile(`(?i)(?:coalesce|ifnull)\(\(SELECT[^;]{0,200}?FROM settings?\s+WHERE name = '([a-z0-9_]+)'\)\s*,`)
)

// TestMartSettingsAreTheScriptsSettings: every setting a mart script reads
// is declared in Settings, whose default is the only one (no script
// falls back to a default of its own: every row is written), and every
// declared setting is read by a script.
func TestMartSettingsAreTheScriptsSettings(t *testing.T) {
	read := map[string]bool{}
	for _, m := range sql.Marts() {
		for _, g := range settingRead.FindAllStringSubmatch(m.SQL, -1) {
			read[g[1]] = true
		}
		for _, g := range settingListRead.FindAllStringSubmatch(m.SQL, -1) {
			for _, n := range strings.Split(g[1], ",") {
				read[strings.Trim(strings.TrimSpace(n), "'")] = true
			}
		}
		for _, g := range settingFallback.FindAllStringSubmatch(m.SQL, -1) {
			t.Errorf("%s: %s falls back to a default of the script's own; Settings declares it", m.Name, g[1])
		}
	}
	if len(read) < 10 {
		t.Fatalf("found %d settings read by the mart scripts: %v", len(read), read)
	}
	declared := map[string]bool{}
	for _, s := range sql.Settings {
		declared[s.Name] = true
		if !read[s.Name] {
			t.Errorf("%s is declared but no mart script reads it", s.Name)
		}
	}
	var missing []string
	for n := range read {
		if !declared[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the mart scripts read settings Settings lacks: %v", missing)
	}
}
