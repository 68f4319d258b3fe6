package etl

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// Rejection is an input row that failed validation. It is stored in the
// rejected_rows table so nothing is dropped silently.
type Rejection struct {
	Table  Table  // the canonical table the row was meant for
	Source string // source kind, e.g. comtrade-csv
	Ref    string // file path or request URL (never a secret)
	Row    int64  // 1-based data row in Ref (0 when not row-shaped)
	Column string // offending column, '' when the whole row is at fault
	Reason string
	Raw    string // the raw row or value, for the analyst to see
}

func (r Rejection) String() string {
	return fmt.Sprintf("%s row %d column %q: %s", r.Ref, r.Row, r.Column, r.Reason)
}

// Sink receives what a source produces: canonical record batches and
// rejected rows. The loader implements it; a Sink takes ownership of rec
// for the duration of Write only (the caller releases it afterwards).
type Sink interface {
	Write(ctx context.Context, table Table, rec arrow.RecordBatch) error
	Reject(ctx context.Context, r Rejection) error
}

// Source extracts from one place and writes canonical batches to a Sink.
type Source interface {
	Extract(ctx context.Context, sink Sink) error
}

// Runtime is what the pipeline lends a source when it builds one.
type Runtime struct {
	RawDir  string       // <warehouse>/raw: the landing zone
	HTTP    *http.Client // shared client; nil means http.DefaultClient
	Logger  *slog.Logger // never nil once built by the pipeline
	JobName string
	// Replay makes network sources serve every request from the landing
	// zone under RawDir, never the network (`run --replay`).
	Replay   bool
	Progress func(label string, total int64) Progress
}

// Progress reports progress of long work; the zero implementation is quiet.
type Progress interface {
	Add(n int64)
	Done()
}

// QuietProgress is the Progress that reports nothing, for work no one
// watches (logs, pipes, cron, tests).
type QuietProgress struct{}

func (QuietProgress) Add(int64) {}
func (QuietProgress) Done()     {}

// StartProgress returns a progress reporter, quiet when none is configured.
func (rt Runtime) StartProgress(label string, total int64) Progress {
	if rt.Progress == nil {
		return QuietProgress{}
	}
	return rt.Progress(label, total)
}

// Kind describes a registered source kind: its name, its config spec and
// how to build it. Like database/sql drivers, kinds register themselves by
// name from an init function in their package.
type Kind struct {
	Name    string
	Summary string // one line for --help and docs
	Table   Table  // the table it fills
	// Spec validates a job's config, fills defaults and generates docs.
	Spec Spec
	// Check, when set, finds what the spec's field types cannot: values
	// that must agree with each other or with reference data. Both
	// `tradewh validate` and building the source run it (Configure).
	Check func(Config) []Problem
	// FileArgs names the spec field that `tradewh load --source KIND FILE...`
	// fills with its file arguments; empty when the kind cannot load files.
	FileArgs string
	New      func(cfg Config, rt Runtime) (Source, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Kind{}
)

// Register makes a source kind available by name. It panics on a duplicate
// name, as that is a programming error.
func Register(k Kind) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[k.Name]; dup {
		panic("etl: source kind registered twice: " + k.Name)
	}
	registry[k.Name] = k
}

// LookupKind returns a registered kind.
func LookupKind(name string) (Kind, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	k, ok := registry[name]
	return k, ok
}

// Kinds lists registered kinds sorted by name.
func Kinds() []Kind {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Kind, 0, len(registry))
	for _, k := range registry {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
