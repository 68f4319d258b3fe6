package baci

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/arrowmem"
)

// A file is parsed in segments of whole lines, about a batch's worth: one
// goroutine cuts them, workers parse several at once, and their batches
// and rejections go to the sink in file order, so rows arrive as the file
// holds them (the loader relies on that to prove keys unique cheaply).
// Memory is bounded by the segments in flight, a few per worker.

// segment is a run of lines and, once parsed, what they gave.
type segment struct {
	data     []byte // lines, each ending in '\n'
	buf      []byte // what data was read into, from arrowmem.Pool
	firstRow int64  // data rows before it in the file
	recs     []arrow.RecordBatch
	rejs     []etl.Rejection
	err      error
	done     chan struct{} // closed when parsed (or given up)
}

// Write and Reject make a segment the sink of the parser parsing it.
func (s *segment) Write(_ context.Context, _ etl.Table, rec arrow.RecordBatch) error {
	rec.Retain()
	s.recs = append(s.recs, rec)
	return nil
}

func (s *segment) Reject(_ context.Context, r etl.Rejection) error {
	s.rejs = append(s.rejs, r)
	return nil
}

func (s *segment) release() {
	for _, r := range s.recs {
		r.Release()
	}
	s.recs = nil
}

func workers() int { return min(max(runtime.GOMAXPROCS(0), 1), 4) }

// read parses r, a BACI file.
func (p *parser) read(ctx context.Context, r io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := workers()
	work := make(chan *segment)     // a worker takes each as it is free
	order := make(chan *segment, 1) // parsed or being parsed, awaiting their turn
	var cutErr error
	go func() {
		defer close(order)
		defer close(work)
		cutErr = p.cut(ctx, r, func(s *segment) bool {
			select {
			case order <- s:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- s:
				return true
			case <-ctx.Done():
				s.err = ctx.Err()
				close(s.done)
				return false
			}
		})
	}()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := p.worker()
			defer w.close()
			for s := range work {
				w.parse(ctx, s)
			}
		}()
	}
	// Emit in order; after a failure keep draining so no goroutine is
	// left blocked and every batch is released.
	var err error
	for s := range order {
		<-s.done
		if err == nil {
			err = s.err
		}
		if err == nil {
			err = p.emit(ctx, s)
		}
		s.release()
		if err != nil {
			cancel()
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return cutErr
}

// emit hands a parsed segment's output to the sink.
func (p *parser) emit(ctx context.Context, s *segment) error {
	for _, r := range s.rejs {
		if err := p.sink.Reject(ctx, r); err != nil {
			return err
		}
	}
	for _, rec := range s.recs {
		if err := p.sink.Write(ctx, etl.TradeFlows, rec); err != nil {
			return err
		}
	}
	return nil
}

// worker is a parser of segments with state of its own: a batch builder
// and a product table.
func (p *parser) worker() *parser {
	return &parser{ref: p.ref, revision: p.revision, countries: p.countries, reporters: p.reporters,
		products: newProductTable(p.products.prefixes), b: newBatchBuilder(p.b.size)}
}

func (p *parser) close() {
	p.b.release()
	p.products.release()
}

// parse parses one segment into it.
func (p *parser) parse(ctx context.Context, s *segment) {
	defer close(s.done)
	if s.err = ctx.Err(); s.err != nil {
		return
	}
	p.sink, p.row = s, s.firstRow
	data := s.data
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if s.err = p.line(ctx, data[:i]); s.err != nil {
			return
		}
		data = data[i+1:]
	}
	arrowmem.Pool.Free(s.buf) // the lines are done with: only the batch waits its turn
	s.data, s.buf = nil, nil
	s.err = p.flush(ctx)
}

// cut reads r into segments of whole lines, about a batch's worth of
// bytes each, checking the header first, and hands each to send; it stops
// when send says so. A segment is the bytes as read: lines are counted,
// not copied one by one.
func (p *parser) cut(ctx context.Context, r io.Reader, send func(*segment) bool) error {
	size := max(32*p.b.size, readBuf) // BACI lines average about 33 bytes
	if p.segSize > 0 {
		size = p.segSize
	}
	var rows int64
	var carry []byte // a line begun at the end of the last read
	sawHeader := false
	for {
		buf := arrowmem.Pool.Allocate(len(carry) + size)
		read := buf
		copy(buf, carry)
		n, err := io.ReadFull(r, buf[len(carry):])
		if p.prog != nil {
			p.prog.Add(int64(n))
		}
		buf = buf[:len(carry)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("%s: %w", p.ref, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data := buf
		if !eof {
			last := bytes.LastIndexByte(buf, '\n')
			if last < 0 {
				return fmt.Errorf("%s: data row %d: line longer than %d bytes (not a BACI file?)", p.ref, rows+1, size)
			}
			data, carry = buf[:last+1], bytes.Clone(buf[last+1:])
		}
		if !sawHeader && len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				i = len(data)
			}
			if err := p.checkHeader(data[:i]); err != nil {
				return err
			}
			sawHeader = true
			data = data[min(i+1, len(data)):]
		}
		if len(data) > 0 {
			if data[len(data)-1] != '\n' { // the last line, without a newline
				data = append(data, '\n')
			}
			seg := &segment{data: data, buf: read, firstRow: rows, done: make(chan struct{})}
			rows += int64(bytes.Count(data, []byte{'\n'}))
			if !send(seg) {
				return ctx.Err()
			}
		}
		if eof {
			break
		}
	}
	if !sawHeader {
		return fmt.Errorf("%s: empty file (want the header %s)", p.ref, header)
	}
	return nil
}
