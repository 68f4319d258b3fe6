// Package arrowmem owns the process-wide memory policy of loads: the
// Arrow allocator that recycles batch buffers and the soft limit on the
// Go heap. The domain (etl) stays free of both; sources and the loader
// that want pooled buffers import this package.
package arrowmem

import (
	"math/bits"
	"os"
	"runtime/debug"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Pool is the Arrow allocator of batch buffers. A load keeps only a few
// batches in flight, but makes thousands: freed buffers are kept, by
// power-of-two size, and handed out again, so the process neither asks the
// OS for fresh pages nor collects garbage for every batch. Buffers come
// back dirty: callers clear what they read before writing (validity).
var Pool memory.Allocator = newPool(32 << 20)

type pool struct {
	mu   sync.Mutex
	free map[int][][]byte // by capacity (a power of two)
	kept int              // bytes in free
	max  int              // bytes free may hold; more are left to the GC
}

func newPool(max int) *pool { return &pool{free: map[int][][]byte{}, max: max} }

func sizeClass(n int) int {
	if n <= 64 {
		return 64
	}
	return 1 << bits.Len(uint(n-1))
}

func (p *pool) Allocate(size int) []byte {
	c := sizeClass(size)
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		p.free[c] = l[:len(l)-1]
		p.kept -= c
		p.mu.Unlock()
		return b[:size]
	}
	p.mu.Unlock()
	return make([]byte, size, c)
}

func (p *pool) Free(b []byte) {
	c := cap(b)
	if c == 0 || c != sizeClass(c) {
		return // not one of ours
	}
	p.mu.Lock()
	if p.kept+c <= p.max {
		p.free[c] = append(p.free[c], b[:0])
		p.kept += c
	}
	p.mu.Unlock()
}

func (p *pool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// PooledBuffer is a buffer of n bytes from Pool; its last reference's
// Release gives the memory back.
func PooledBuffer(n int) *memory.Buffer {
	b := memory.NewResizableBuffer(Pool)
	b.Resize(n)
	return b
}

// GoMemoryLimit is the soft limit on the Go heap of a process that runs
// loads. A load keeps about 100 MiB of batches live; under Go's default
// pacing the heap would grow to twice that before a collection, later in
// a longer load, so peak RSS would grow with the file.
const GoMemoryLimit = 160 << 20

// LimitGoMemory sets GoMemoryLimit unless GOMEMLIMIT sets a limit of its own.
func LimitGoMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(GoMemoryLimit)
	}
}
