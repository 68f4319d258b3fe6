// Package sql embeds the warehouse's SQL: numbered migrations, applied once
// each in order, and the mart definitions, rebuilt after every load.
package sql

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations marts
var files embed.FS

// File is one named SQL script.
type File struct {
	Name string // file name without directory, e.g. 001_core.sql
	SQL  string
}

// Marts returns the mart scripts in the order they must be run, each
// after MartTables.
func Marts() []File { return read("marts") }

// Table is the one definition of a table the mart scripts write: a
// CREATE TABLE IF NOT EXISTS of that name.
type Table struct {
	Name string // e.g. import_shares
	SQL  string
}

// MartTables returns the definitions of the tables the mart scripts write,
// to run before the scripts: a warehouse made before a table existed gets
// it from its next rebuild.
func MartTables() []Table {
	files := read("marts/tables")
	out := make([]Table, len(files))
	for i, f := range files {
		out[i] = Table{Name: strings.TrimSuffix(f.Name, ".sql"), SQL: f.SQL}
	}
	return out
}

// Temp is the definition making the table TEMP, for a rebuild that must
// leave the stored tables be (the report's as-of rebuild).
func (t Table) Temp() string {
	return strings.Replace(t.SQL, "CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE IF NOT EXISTS", 1)
}

// migrationTables are the mart tables a migration creates from their
// definitions, so every new warehouse has them before its first rebuild.
// The later migrations that alter them run after it: a new column goes at
// the end of the definition and into a migration of its own.
var migrationTables = map[string][]string{
	"006_mart_tables.sql": {"import_shares", "dependency_trends", "mirror_flows"},
}

// Migrations returns the migrations in the order they must be applied.
func Migrations() []File {
	files := read("migrations")
	defs := map[string]string{}
	for _, t := range MartTables() {
		defs[t.Name] = t.SQL
	}
	for i, f := range files {
		for _, name := range migrationTables[f.Name] {
			files[i].SQL += "\n" + defs[name]
		}
	}
	return files
}

func read(dir string) []File {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		panic(err) // embedded: cannot fail at run time
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(dir + "/" + n)
		if err != nil {
			panic(err)
		}
		out = append(out, File{Name: n, SQL: string(b)})
	}
	return out
}
