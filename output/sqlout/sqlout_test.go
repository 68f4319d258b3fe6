package sqlout

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"SELECT 1", []string{"SELECT 1"}},
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{" ; ;SELECT 1;;", []string{"SELECT 1"}},
		{"SELECT 'a;b'; SELECT 2", []string{"SELECT 'a;b'", "SELECT 2"}},
		{"SELECT 'it''s;'; SELECT 2", []string{"SELECT 'it''s;'", "SELECT 2"}},
		{`SELECT E'\';'; SELECT 2`, []string{`SELECT E'\';'`, "SELECT 2"}},
		{`SELECT 1 AS "a;b"; SELECT 2`, []string{`SELECT 1 AS "a;b"`, "SELECT 2"}},
		{"SELECT $$a;b$$; SELECT $x$;$x$", []string{"SELECT $$a;b$$", "SELECT $x$;$x$"}},
		{"SELECT 1 -- a;b\n; SELECT 2", []string{"SELECT 1 -- a;b", "SELECT 2"}},
		{"SELECT /* a; /* b; */ c; */ 1; SELECT 2", []string{"SELECT /* a; /* b; */ c; */ 1", "SELECT 2"}},
		{"-- only a comment;\n/* and; another */", nil},
		{"SELECT 1; -- trailing comment", []string{"SELECT 1"}},
	}
	for _, tt := range tests {
		got := Split(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatFloatIsExactAndPlain(t *testing.T) {
	tenth, fifth := 0.1, 0.2
	tests := []struct {
		f    float64
		want string
	}{
		{12345678901.5, "12345678901.5"},
		{tenth + fifth, "0.30000000000000004"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{0.000001, "0.000001"},
		{1e-7, "1e-07"},
		{-2.5, "-2.5"},
		{0, "0"},
		{123456789012345680, "123456789012345680"},
	}
	for _, tt := range tests {
		got := FormatFloat(tt.f, 64)
		if got != tt.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != tt.f {
			t.Errorf("FormatFloat(%v) = %q reads back as %v (%v)", tt.f, got, back, err)
		}
	}
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

const allTypes = `SELECT 12345678901.5::DOUBLE AS d, 0.1::FLOAT AS f, 12345678901.25::DECIMAL(18,2) AS dec,
	170141183460469231731687303715884105727::HUGEINT AS h, 9007199254740993::BIGINT AS b,
	DATE '2024-03-01' AS dt, TIMESTAMP '2024-03-01 00:00:00' AS ts, TIMESTAMP '2024-03-01 10:20:30.5' AS ts2,
	[1.5, 12345678901.5]::DOUBLE[] AS l, {'x': 12345678901.5::DOUBLE} AS s, 'a,"b"' AS txt, NULL AS n, true AS yes,
	'nan'::DOUBLE AS nan`

func TestWriteFormatsAreLossless(t *testing.T) {
	db := openDB(t)
	want := map[string]string{
		CSV: `d,f,dec,h,b,dt,ts,ts2,l,s,txt,n,yes,nan
12345678901.5,0.1,12345678901.25,170141183460469231731687303715884105727,9007199254740993,2024-03-01,2024-03-01 00:00:00,2024-03-01 10:20:30.5,"[1.5,12345678901.5]","{""x"":12345678901.5}","a,""b""",,true,NaN
`,
		JSONL: `{"d":12345678901.5,"f":0.1,"dec":12345678901.25,"h":170141183460469231731687303715884105727,"b":9007199254740993,"dt":"2024-03-01","ts":"2024-03-01 00:00:00","ts2":"2024-03-01 10:20:30.5","l":[1.5,12345678901.5],"s":{"x":12345678901.5},"txt":"a,\"b\"","n":null,"yes":true,"nan":"NaN"}
`,
	}
	for format, w := range want {
		var buf bytes.Buffer
		if err := Run(context.Background(), db, []string{allTypes}, &buf, format); err != nil {
			t.Fatal(err)
		}
		if buf.String() != w {
			t.Errorf("%s:\n got %s\nwant %s", format, buf.String(), w)
		}
	}
	var buf bytes.Buffer
	if err := Run(context.Background(), db, []string{allTypes}, &buf, Table); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"12345678901.5", "170141183460469231731687303715884105727", "NULL", "(1 rows)"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, buf.String())
		}
	}
	if strings.Contains(buf.String(), "e+10") {
		t.Errorf("table prints an exponent:\n%s", buf.String())
	}
}

func TestRunPrintsEveryResultOrNone(t *testing.T) {
	db := openDB(t)
	var buf bytes.Buffer
	script := Split("SELECT 1 AS a; SET threads = 1; SELECT 'x' AS b UNION ALL SELECT 'y'")
	if err := Run(context.Background(), db, script, &buf, CSV); err != nil {
		t.Fatal(err)
	}
	if want := "a\n1\n\nb\nx\ny\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	err := Run(context.Background(), db, Split("SELECT 1 AS a; SELECT nosuch FROM range(1)"), &buf, CSV)
	if err == nil || !strings.Contains(err.Error(), "statement 2 of 2") {
		t.Fatalf("want an error naming statement 2, got %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a failing script printed %q", buf.String())
	}
}

func TestRunStreamsJSONArrays(t *testing.T) {
	db := openDB(t)
	var buf bytes.Buffer
	if err := Run(context.Background(), db, Split("SELECT range AS i FROM range(2); SELECT 1 AS x WHERE false"), &buf, JSON); err != nil {
		t.Fatal(err)
	}
	want := "[\n  {\n    \"i\": 0\n  },\n  {\n    \"i\": 1\n  }\n]\n\n[]\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestRunToFileWholeOrNothing(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	dir := t.TempDir()

	pq := filepath.Join(dir, "out.parquet")
	if err := RunToFile(ctx, db, Split("SELECT range AS i, (12345678901.5 + range)::DOUBLE AS v FROM range(5000)"), pq, FormatOf(pq), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	var n int
	var v float64
	if err := db.QueryRow(`SELECT count(*), max(v) FROM read_parquet('`+pq+`')`).Scan(&n, &v); err != nil || n != 5000 || v != 12345678901.5+4999 {
		t.Fatalf("parquet read back: %d rows, max %v, %v", n, v, err)
	}
	if err := RunToFile(ctx, db, Split("SELECT 1; SELECT 2"), pq, Parquet, ""); err == nil {
		t.Error("two statements into one Parquet file: want an error")
	}

	csvPath := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(csvPath, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The error comes from the second statement, at run time after rows of the first were written.
	err := RunToFile(ctx, db, Split("SELECT range FROM range(3); SELECT CAST('x' || range AS INTEGER) FROM range(3)"), csvPath, CSV, "")
	if err == nil {
		t.Fatal("want a conversion error")
	}
	if b, _ := os.ReadFile(csvPath); string(b) != "old\n" {
		t.Errorf("a failed query changed the output file: %q", b)
	}
	if err := RunToFile(ctx, db, Split("SELECT 12345678901.5::DOUBLE AS v"), csvPath, CSV, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(csvPath); string(b) != "v\n12345678901.5\n" {
		t.Errorf("csv file: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	fi, _ := os.Stat(csvPath)
	if fi.Mode().Perm()&0o044 == 0 {
		t.Errorf("output file is %v: want the umask's permissions, readable by others", fi.Mode())
	}
}
