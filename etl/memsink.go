package etl

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// MemorySink keeps what a source writes in memory: for tests and for
// dry runs that only check a source's output.
type MemorySink struct {
	mu         sync.Mutex
	Records    map[Table][]arrow.RecordBatch
	Rejections []Rejection
}

// Write retains rec.
func (m *MemorySink) Write(_ context.Context, t Table, rec arrow.RecordBatch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Records == nil {
		m.Records = map[Table][]arrow.RecordBatch{}
	}
	rec.Retain()
	m.Records[t] = append(m.Records[t], rec)
	return nil
}

// Reject keeps r.
func (m *MemorySink) Reject(_ context.Context, r Rejection) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Rejections = append(m.Rejections, r)
	return nil
}

// Rows counts the rows written to t.
func (m *MemorySink) Rows(t Table) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, r := range m.Records[t] {
		n += r.NumRows()
	}
	return n
}

// Release releases every retained record.
func (m *MemorySink) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rs := range m.Records {
		for _, r := range rs {
			r.Release()
		}
	}
	m.Records = nil
}
