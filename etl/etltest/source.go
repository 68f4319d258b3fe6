package etltest

import (
	"context"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// Build validates raw against the registered kind's spec, as a job config
// is, and builds the source.
func Build(t testing.TB, kind string, raw map[string]any, rt etl.Runtime) etl.Source {
	t.Helper()
	k, ok := etl.LookupKind(kind)
	if !ok {
		t.Fatalf("kind %s not registered", kind)
	}
	cfg, probs := k.Spec.Validate(raw)
	if len(probs) > 0 {
		t.Fatalf("config problems: %v", probs)
	}
	src, err := k.New(cfg, rt)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Extract runs src into a fresh MemorySink, released when the test ends,
// and returns the sink with Extract's error for the test to judge.
func Extract(t testing.TB, src etl.Source) (*etl.MemorySink, error) {
	t.Helper()
	sink := &etl.MemorySink{}
	t.Cleanup(sink.Release)
	return sink, src.Extract(context.Background(), sink)
}
