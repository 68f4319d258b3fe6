package main

import (
	"os"
	"path/filepath"
	"strings"
)

// commandLine is a tradewh command as the user can run it from where they
// are: the program as it was started (`go run -tags duckdb_arrow ./cmd/tradewh` when it
// was built by go run, else the path it was called by), this warehouse, and
// args, each quoted for a POSIX shell where it needs it.
func (g *globals) commandLine(args ...string) string {
	prog := programName(os.Args[0])
	parts := append([]string{prog, "--warehouse", shellQuote(g.warehouse)}, quoteAll(args)...)
	return strings.Join(parts, " ")
}

// programName is how to start this program again: a binary built by `go
// run` lives in a temporary build folder that is gone once it exits.
func programName(arg0 string) string {
	tmp := filepath.Clean(os.TempDir()) + string(filepath.Separator)
	if strings.Contains(arg0, string(filepath.Separator)+"go-build") && strings.HasPrefix(filepath.Clean(arg0), tmp) {
		return "go run -tags duckdb_arrow ./cmd/tradewh"
	}
	if arg0 == "" {
		return "tradewh"
	}
	return shellQuote(arg0)
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

// shellQuote quotes s for a POSIX shell unless it is made only of
// characters the shell takes literally.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	if !strings.ContainsAny(s, "\"$`\\!") {
		return `"` + s + `"` // reads better around SQL's single quotes
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Queries the run summary suggests.
const (
	rejectedQuery = "SELECT source_ref, source_row, source_column, reason FROM rejected_rows ORDER BY rejected_at DESC LIMIT 20"
	tryQuery      = "SELECT year, reporter_iso3, commodity, round(share*100,1) AS china_pct, rank FROM import_shares WHERE partner_iso3 = 'CHN' AND hs_code IS NULL AND freq = 'A' ORDER BY commodity, year"
)
