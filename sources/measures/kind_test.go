package measures

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tradewh/tradewh/etl"
	etlmeasures "github.com/tradewh/tradewh/etl/measures"
)

const header = "measure_id,imposing_iso3,measure_type,title,effective_date,hs_codes,citation,suspends_measure_id\n"

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Each file's measures reach the Sink as one batch of the table's schema;
// a measure may suspend one of another file.
func TestExtractWritesEachFileAsABatch(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.csv", header+"A-1,CHN,ban,a ban,2024-01-01,2805,c,\n")
	b := write(t, dir, "b.csv", header+"B-1,CHN,suspension,a pause,2024-06-01,2805,c,A-1\n")
	var sink etl.MemorySink
	if err := (&Source{Paths: []string{a, b}}).Extract(context.Background(), &sink); err != nil {
		t.Fatal(err)
	}
	recs := sink.Records[etl.TradeMeasures]
	if len(recs) != 2 {
		t.Fatalf("%d batches, want one per file", len(recs))
	}
	for i, want := range []string{"A-1", "B-1"} {
		ms, err := etlmeasures.FromBatch(recs[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].ID != want || ms[0].Line != 2 {
			t.Errorf("batch %d: %+v, want %s of line 2", i, ms, want)
		}
	}
}

// A bad file fails the load with its problems at their line and column,
// and nothing is written, not even the good file's measures.
func TestExtractWritesNothingOfABadLoad(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.csv", header+"A-1,CHN,ban,a ban,2024-01-01,2805,c,\n")
	bad := write(t, dir, "bad.csv", header+"X-1,CHN,ban,a ban,2024-13-01,2805,c,\n")
	var sink etl.MemorySink
	err := (&Source{Paths: []string{good, bad}}).Extract(context.Background(), &sink)
	var ps etl.FileProblems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].File != bad || ps[0].Line != 2 || ps[0].Col != 19 {
		t.Fatalf("Extract: %v, want the bad date at %s:2:19", err, bad)
	}
	if n := sink.Rows(etl.TradeMeasures); n != 0 {
		t.Errorf("%d measures written by a failed load", n)
	}
}
