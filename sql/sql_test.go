package sql_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/sql"
)

var (
	// createStored is a CREATE of an object that is not TEMP.
	createStored = regexp.MustCompile(`(?i)\bCREATE\s+(OR\s+REPLACE\s+)?(TABLE|VIEW|MACRO|FUNCTION|SEQUENCE|INDEX)\b`)
	createTable  = regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+) \(`)
	comment      = regexp.MustCompile(`--.*`)
)

// TestMartTableDefinitions: each file of marts/tables is one CREATE TABLE
// IF NOT EXISTS of the table it is named for, which Temp makes TEMP, and
// the scripts create nothing but TEMP objects, so the as-of rebuild runs
// them unchanged without writing the warehouse.
func TestMartTableDefinitions(t *testing.T) {
	tables := sql.MartTables()
	if len(tables) < 8 {
		t.Fatalf("%d mart tables", len(tables))
	}
	for _, tb := range tables {
		m := createTable.FindAllStringSubmatch(tb.SQL, -1)
		if len(m) != 1 || m[0][1] != tb.Name {
			t.Errorf("tables/%s.sql: want one CREATE TABLE IF NOT EXISTS %s (...), found %v", tb.Name, tb.Name, m)
		}
		if code := strings.TrimSpace(comment.ReplaceAllString(tb.SQL, "")); strings.Count(code, ";") != 1 || !strings.HasSuffix(code, ";") {
			t.Errorf("tables/%s.sql: want a single statement", tb.Name)
		}
		if !strings.Contains(tb.Temp(), "CREATE TEMP TABLE IF NOT EXISTS "+tb.Name+" (") || createStored.MatchString(tb.Temp()) {
			t.Errorf("tables/%s.sql: Temp() is\n%s", tb.Name, tb.Temp())
		}
	}
	for _, m := range sql.Marts() {
		if c := createStored.FindString(m.SQL); c != "" {
			t.Errorf("%s: %q creates a stored object; its tables belong in marts/tables, anything else must be TEMP", m.Name, c)
		}
	}
}

// TestMigrationsCreateMartTablesFromTheirDefinitions: migration 006 holds
// the very definitions the rebuild runs.
func TestMigrationsCreateMartTablesFromTheirDefinitions(t *testing.T) {
	var m006 string
	for _, m := range sql.Migrations() {
		if m.Name == "006_mart_tables.sql" {
			m006 = m.SQL
		}
	}
	for _, tb := range sql.MartTables() {
		want := tb.Name == "import_shares" || tb.Name == "dependency_trends" || tb.Name == "mirror_flows"
		if got := strings.Contains(m006, tb.SQL); got != want {
			t.Errorf("006_mart_tables.sql holds the definition of %s: %v, want %v", tb.Name, got, want)
		}
	}
}
