package etltest

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Query runs q and returns its column names and every row's values as the
// driver scans them into any, failing the test on any error. Callers format
// the values as their assertions need.
func Query(t testing.TB, db *sql.DB, q string) ([]string, [][]any) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, out
}

// Lines runs q and returns each row as its values joined by spaces: NULL
// for nulls, times as YYYY-MM-DD, floats rounded to decimals places.
func Lines(t testing.TB, db *sql.DB, q string, decimals int) []string {
	t.Helper()
	_, rows := Query(t, db, q)
	scale := math.Pow10(decimals)
	out := make([]string, 0, len(rows))
	for _, vals := range rows {
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				parts[i] = "NULL"
			case float64:
				parts[i] = strconv.FormatFloat(math.Round(v*scale)/scale, 'f', -1, 64)
			case time.Time:
				parts[i] = v.Format(time.DateOnly)
			default:
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// CheckLines fails the test unless Lines of q are want.
func CheckLines(t testing.TB, db *sql.DB, q string, decimals int, want []string) {
	t.Helper()
	got := Lines(t, db, q, decimals)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s\ngot:\n  %s\nwant:\n  %s", q, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
