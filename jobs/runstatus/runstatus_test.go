package runstatus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

func TestWriterKeepsRunningJobProgressAndRecentRuns(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	w := New(dir, "tradewh run", now, func(err error) { t.Errorf("write failed: %v", err) })

	w.Begin("job-a", "baci", 1)
	st, err := Read(dir)
	if err != nil || st.Running == nil || st.Running.Job != "job-a" || st.Running.PID != os.Getpid() || st.Running.Command != "tradewh run" {
		t.Fatalf("after Begin: %+v %v", st.Running, err)
	}
	w.Progress(100) // within a second of the last write: not written
	if st, _ := Read(dir); st.Running.Rows != 0 {
		t.Errorf("progress written %v after the last write", clock.Sub(clock))
	}
	clock = clock.Add(2 * time.Second)
	w.Progress(2000)
	if st, _ := Read(dir); st.Running.Rows != 2000 || !st.Running.Updated.Equal(clock) {
		t.Errorf("after Progress: %+v", st.Running)
	}
	w.End(etl.LoadStats{RowsIn: 2000, Loaded: 1990, Rejected: 10}, nil)
	w.Begin("job-b", "sheet", 2)
	w.End(etl.LoadStats{}, fmt.Errorf("job-b: %w", context.Canceled))
	w.Begin("job-c", "sheet", 3)
	w.End(etl.LoadStats{}, errors.New("bad\nfile"))

	// A later process keeps the runs before it.
	w2 := New(dir, "tradewh load", now, nil)
	for i := 0; i < 25; i++ {
		w2.Begin("many", "baci", int64(10+i))
		w2.End(etl.LoadStats{}, nil)
	}
	st, err = Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running != nil || len(st.Recent) != keep || st.Recent[0].RunID != 34 {
		t.Fatalf("recent runs: running %+v, %d runs, newest %+v", st.Running, len(st.Recent), st.Recent[0])
	}

	w3 := New(t.TempDir(), "x", now, nil)
	w3.Begin("a", "b", 1)
	w3.End(etl.LoadStats{RowsIn: 5}, nil)
	w3.Begin("c", "d", 2)
	w3.End(etl.LoadStats{}, fmt.Errorf("stopped: %w", context.Canceled))
	w3.Begin("e", "f", 3)
	w3.End(etl.LoadStats{}, errors.New("bad\n  file"))
	st, _ = Read(w3.dir)
	var got []string
	for _, r := range st.Recent {
		got = append(got, r.Outcome+":"+r.Error)
	}
	if want := []string{"failed:bad file", "cancelled:stopped: context canceled", "ok:"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes %q, want %q", got, want)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != FileName {
		t.Errorf("files in the folder: %v (temporary files left?)", ents)
	}
	if fi, _ := os.Stat(dir + "/" + FileName); fi.Mode().Perm() != 0o644 {
		t.Errorf("status file mode %v, want 0644", fi.Mode().Perm())
	}
}

func TestWriterReportsAFailedWriteOnce(t *testing.T) {
	var errs []error
	w := New(t.TempDir()+"/missing", "x", nil, func(err error) { errs = append(errs, err) })
	w.Begin("a", "b", 1)
	w.End(etl.LoadStats{}, nil)
	if len(errs) != 1 {
		t.Errorf("errors reported: %v", errs)
	}
}
