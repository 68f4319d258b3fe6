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

// Migrations returns the migrations in the order they must be applied.
func Migrations() []File { return read("migrations") }

// Marts returns the mart scripts in the order they must be run.
func Marts() []File { return read("marts") }

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
