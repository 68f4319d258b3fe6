package etltest

import (
	"bytes"
	"log/slog"
	"sync"
)

// Buffer collects output written from many goroutines (a client's
// workers, a scheduler) and may be read while they still write.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// DebugLogger returns a text logger at debug level and the Buffer it
// writes to.
func DebugLogger() (*slog.Logger, *Buffer) {
	buf := &Buffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}
