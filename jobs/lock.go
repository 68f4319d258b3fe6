package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/tradewh/tradewh/etl"
)

const (
	lockName   = ".writer.lock"
	holderName = ".writer.lock.json" // kept apart: Windows forbids reading a locked file
	pollEvery  = 100 * time.Millisecond
)

// Holder describes the process holding the writer lock.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
}

func (h Holder) String() string {
	s := fmt.Sprintf("pid %d (%s)", h.PID, h.Command)
	if host, _ := os.Hostname(); h.Host != "" && h.Host != host {
		s += " on host " + h.Host
	}
	return s + " since " + h.Since.Format(time.RFC3339)
}

// LockedError names the holder of a lock that could not be taken.
type LockedError struct {
	Dir    string
	Holder *Holder // nil when the holder has not recorded itself yet
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("warehouse %s is locked by another process", e.Dir)
	}
	return fmt.Sprintf("warehouse %s is locked by %s", e.Dir, e.Holder)
}

func (e *LockedError) Unwrap() error { return etl.ErrLocked }

// Lock is the single-writer lock of a warehouse directory. DuckDB allows one
// writing process, so every command that writes takes it first.
type Lock struct {
	dir    string
	fl     *flock.Flock
	Holder Holder
}

// AcquireWriter takes the writer lock of dir, waiting up to wait (or until
// ctx is done) for another holder to finish; the wait and stale lock info
// are logged to log (nil: slog.Default()).
func AcquireWriter(ctx context.Context, dir, command string, wait time.Duration, log *slog.Logger) (*Lock, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	fl := flock.New(filepath.Join(dir, lockName))
	ok, err := fl.TryLock()
	if err == nil && !ok && wait > 0 {
		if h, found := ReadHolder(dir); found {
			log.Info("waiting for the warehouse writer lock", "dir", dir, "holder", h.String(), "wait", wait)
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(wctx, pollEvery)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lock warehouse %s: %w", dir, err)
	}
	if !ok {
		le := &LockedError{Dir: dir}
		if h, found := ReadHolder(dir); found {
			le.Holder = &h
		}
		return nil, le
	}

	// Holder info survives a killed holder (its flock does not): report it.
	if prev, found := ReadHolder(dir); found {
		host, _ := os.Hostname()
		switch {
		case prev.Host != "" && prev.Host != host:
			log.Warn(fmt.Sprintf("taking over lock left by %s", prev), "dir", dir)
		case !pidAlive(prev.PID):
			log.Warn(fmt.Sprintf("taking over stale lock from pid %d (%s), not running", prev.PID, prev.Command), "dir", dir)
		default:
			log.Warn(fmt.Sprintf("taking over lock left by %s, which no longer holds it", prev), "dir", dir)
		}
	}
	host, _ := os.Hostname()
	l := &Lock{dir: dir, fl: fl, Holder: Holder{PID: os.Getpid(), Command: command, Host: host, Since: time.Now().UTC().Truncate(time.Second)}}
	if err := writeHolder(dir, l.Holder); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("lock warehouse %s: %w", dir, err)
	}
	return l, nil
}

// Release gives the lock up; it is safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	err := os.Remove(filepath.Join(l.dir, holderName))
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if uerr := l.fl.Unlock(); err == nil {
		err = uerr
	}
	l.fl = nil
	return err
}

// ReadHolder returns the holder info recorded in dir. It is the current
// holder while the lock is held, and a dead one if a holder was killed.
func ReadHolder(dir string) (Holder, bool) {
	data, err := os.ReadFile(filepath.Join(dir, holderName))
	if err != nil {
		return Holder{}, false
	}
	var h Holder
	if json.Unmarshal(data, &h) != nil || h.PID == 0 {
		return Holder{}, false
	}
	return h, true
}

// writeHolder replaces the holder file atomically so a waiting process
// never reads half of it.
func writeHolder(dir string, h Holder) error {
	return WriteJSONFile(dir, holderName, h, 0)
}
