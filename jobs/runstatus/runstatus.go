// Package runstatus keeps a small status file beside the warehouse: the
// job a writer is running, the rows it has produced so far, and the last
// runs. DuckDB lets no reader open the database while a writer has it, so
// `tradewh status` reads this file during a load instead.
package runstatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
)

// FileName is the status file inside the warehouse folder.
const FileName = "status.json"

// keep is how many finished runs the file lists.
const keep = 20

// every is how often progress is written at most.
const every = time.Second

// Running is the run a writer is in the middle of.
type Running struct {
	Job     string    `json:"job"`
	Source  string    `json:"source"`
	RunID   int64     `json:"run_id"`
	PID     int       `json:"pid"`
	Command string    `json:"command,omitempty"`
	Started time.Time `json:"started"`
	Rows    int64     `json:"rows"` // rows the source produced so far
	Updated time.Time `json:"updated"`
}

// Run is a finished run.
type Run struct {
	Job      string    `json:"job"`
	Source   string    `json:"source"`
	RunID    int64     `json:"run_id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Outcome  string    `json:"outcome"` // ok, failed or cancelled
	RowsIn   int64     `json:"rows_in"`
	Loaded   int64     `json:"loaded"`
	Rejected int64     `json:"rejected"`
	Error    string    `json:"error,omitempty"`
}

// Status is the file's content.
type Status struct {
	Running *Running `json:"running,omitempty"`
	Recent  []Run    `json:"recent"` // newest first
}

// Writer keeps the status file of one warehouse up to date. Its methods
// never fail the load they watch: a status file that cannot be written
// is logged once and otherwise ignored.
type Writer struct {
	dir     string
	command string
	now     func() time.Time
	onError func(error)

	mu      sync.Mutex
	st      Status
	written time.Time
	failed  bool
}

var _ etl.Watcher = (*Writer)(nil)

// New returns the writer of dir's status file for a command (e.g.
// "tradewh load"); now is the clock (nil: time.Now) and onError hears of
// the first write that failed (nil: ignored).
func New(dir, command string, now func() time.Time, onError func(error)) *Writer {
	if now == nil {
		now = time.Now
	}
	if onError == nil {
		onError = func(error) {}
	}
	return &Writer{dir: dir, command: command, now: now, onError: onError}
}

// Begin records that a run started.
func (w *Writer) Begin(job, source string, runID int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.load()
	t := w.now().UTC()
	w.st.Running = &Running{Job: job, Source: source, RunID: runID, PID: os.Getpid(), Command: w.command, Started: t, Updated: t}
	w.write(t)
}

// Progress records the rows the running job has produced so far; it
// writes the file at most once a second.
func (w *Writer) Progress(rows int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st.Running == nil {
		return
	}
	t := w.now().UTC()
	w.st.Running.Rows = rows
	if t.Sub(w.written) < every {
		return
	}
	w.st.Running.Updated = t
	w.write(t)
}

// End records how the running job ended.
func (w *Writer) End(st etl.LoadStats, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st.Running == nil {
		return
	}
	r := w.st.Running
	t := w.now().UTC()
	run := Run{Job: r.Job, Source: r.Source, RunID: r.RunID, Started: r.Started, Finished: t, Outcome: "ok",
		RowsIn: st.RowsIn, Loaded: st.Loaded, Rejected: st.Rejected}
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		run.Outcome, run.Error = "cancelled", oneLine(err.Error())
	default:
		run.Outcome, run.Error = "failed", oneLine(err.Error())
	}
	w.st.Running = nil
	w.st.Recent = append([]Run{run}, w.st.Recent...)
	if len(w.st.Recent) > keep {
		w.st.Recent = w.st.Recent[:keep]
	}
	w.write(t)
}

// load reads the recent runs another writer left (a process's first run).
func (w *Writer) load() {
	if w.st.Recent != nil {
		return
	}
	if st, err := Read(w.dir); err == nil {
		w.st.Recent = st.Recent
	}
	if w.st.Recent == nil {
		w.st.Recent = []Run{}
	}
}

func (w *Writer) write(t time.Time) {
	w.written = t
	if err := writeFile(w.dir, w.st); err != nil && !w.failed {
		w.failed = true
		w.onError(fmt.Errorf("writing the status file: %w", err))
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:299]) + "…"
	}
	return s
}

// Read returns the status file of dir; a missing file is os.ErrNotExist.
func Read(dir string) (Status, error) {
	var st Status
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("%s: %w", filepath.Join(dir, FileName), err)
	}
	return st, nil
}

// writeFile replaces the file atomically: a reader sees the old content or
// the new, never half of it. Other accounts (BI tools, ops) may read it.
func writeFile(dir string, st Status) error {
	return jobs.WriteJSONFile(dir, FileName, st, 0o644)
}
