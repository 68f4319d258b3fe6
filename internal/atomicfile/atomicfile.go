// Package atomicfile writes a file whole or not at all: the content goes
// to a temporary file in the same folder, which is renamed over the file
// only when every write succeeded, so a reader sees the old content or the
// new, never half of it, and a failed write leaves nothing behind.
package atomicfile

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Options say how the temporary file is made.
type Options struct {
	// Pattern names the temporary file, its last "*" replaced by a random
	// string (as os.CreateTemp); "" is "." + the file's name + ".*".
	// Writers whose leftovers are cleaned up by name choose their own.
	Pattern string
	// Perm is the temporary file's mode, the umask applied; 0 is 0600, as
	// os.CreateTemp makes it. The file keeps it when renamed.
	Perm os.FileMode
	// Sync flushes the file to disk before the rename, for files that must
	// hold their content after a crash, not only after a failed write.
	Sync bool
}

// Write replaces path with what fill writes to the temporary file (fill may
// also set its mode or read its name).
func Write(path string, o Options, fill func(f *os.File) error) (err error) {
	f, err := create(filepath.Dir(path), o.pattern(path), o.perm())
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if o.Sync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteFile replaces path with data.
func WriteFile(path string, data []byte, o Options) error {
	return Write(path, o, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// Copy replaces path with what r holds.
func Copy(path string, r io.Reader, o Options) error {
	return Write(path, o, func(f *os.File) error {
		_, err := io.Copy(f, r)
		return err
	})
}

func (o Options) pattern(path string) string {
	if o.Pattern == "" {
		return "." + filepath.Base(path) + ".*"
	}
	return o.Pattern
}

func (o Options) perm() os.FileMode {
	if o.Perm == 0 {
		return 0o600
	}
	return o.Perm
}

// create makes a new file in dir named by pattern with mode perm: unlike
// os.CreateTemp, which always makes 0600, its mode is the caller's.
func create(dir, pattern string, perm os.FileMode) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	var err error
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+suffix)
		var f *os.File
		if f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm); !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
	return nil, err
}
