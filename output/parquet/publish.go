package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// swapped is a table that now points at its new version.
type swapped struct {
	old  string       // previous version to delete once all tables are published ("" if none)
	undo func() error // points the table back at its previous version
}

// publishAll moves the staged exports to .versions and swaps each table's
// symlink. If one swap fails, the tables already swapped are pointed back,
// so the previous exports stay published as a whole. Previous versions are
// deleted last; a reader that already opened their files keeps reading
// them (an unlinked file lives on while open).
func publishAll(dir string, exports []staged, logger *slog.Logger) error {
	var done []swapped
	rollback := func(err error) error {
		for i := len(done) - 1; i >= 0; i-- {
			err = errors.Join(err, done[i].undo())
		}
		return err
	}
	for _, s := range exports {
		version := filepath.Base(s.path)
		dst := filepath.Join(dir, versionsDir, version)
		if err := os.Rename(s.path, dst); err != nil {
			return rollback(fmt.Errorf("parquet: table %q: %w", s.manifest.Table, err))
		}
		sw, err := swap(dir, s.manifest.Table, version)
		if err != nil {
			os.RemoveAll(dst)
			return rollback(fmt.Errorf("parquet: table %q: publish: %w", s.manifest.Table, err))
		}
		done = append(done, sw)
	}
	syncDir(dir)
	for _, sw := range done {
		if sw.old == "" {
			continue
		}
		if err := os.RemoveAll(sw.old); err != nil {
			// Published already; the next export removes the leftover.
			logger.Warn("parquet: previous export not removed", "path", sw.old, "error", err)
		}
	}
	return nil
}

// swap points <dir>/<table> at .versions/<version> by renaming a new
// symlink over it: rename(2) replaces the old link atomically. A real
// folder left by an older layout cannot be renamed over, so it is first
// moved aside; for that one-time change the path is briefly missing,
// never half-written.
func swap(dir, table, version string) (swapped, error) {
	link := filepath.Join(dir, table)
	newDir := filepath.Join(dir, versionsDir, version)
	target := filepath.Join(versionsDir, version) // relative: the export folder may be moved
	tmp, err := tempSymlink(dir, table, target)
	if err != nil {
		return swapped{}, err
	}
	fi, err := os.Lstat(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return swapped{}, err
		}
		return swapped{undo: func() error { return errors.Join(os.Remove(link), os.RemoveAll(newDir)) }}, nil
	case err != nil:
		os.Remove(tmp)
		return swapped{}, err
	case fi.Mode()&fs.ModeSymlink != 0:
		oldTarget, err := os.Readlink(link)
		if err != nil {
			os.Remove(tmp)
			return swapped{}, err
		}
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return swapped{}, err
		}
		return swapped{
			old: ownVersion(dir, oldTarget), // never delete what a hand-made link points at
			undo: func() error {
				back, err := tempSymlink(dir, table, oldTarget)
				if err == nil {
					err = os.Rename(back, link)
				}
				return errors.Join(err, os.RemoveAll(newDir))
			},
		}, nil
	default:
		aside := newDir + ".previous"
		if err := os.Rename(link, aside); err != nil {
			os.Remove(tmp)
			return swapped{}, err
		}
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return swapped{}, errors.Join(err, os.Rename(aside, link))
		}
		return swapped{old: aside, undo: func() error {
			return errors.Join(os.Remove(link), os.Rename(aside, link), os.RemoveAll(newDir))
		}}, nil
	}
}

func tempSymlink(dir, table, target string) (string, error) {
	for i := 0; ; i++ {
		tmp := filepath.Join(dir, fmt.Sprintf(".tmp-%s-%d-%d", table, os.Getpid(), time.Now().UnixNano()))
		err := os.Symlink(target, tmp)
		if err == nil || !errors.Is(err, fs.ErrExist) || i == 10 {
			return tmp, err
		}
	}
}

// ownVersion returns the folder a link target names if it is one of ours
// under .versions, else "".
func ownVersion(dir, target string) string {
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	target = filepath.Clean(target)
	if filepath.Dir(target) != filepath.Clean(filepath.Join(dir, versionsDir)) {
		return ""
	}
	return target
}

// cleanLeftovers removes what an interrupted export left: staged folders,
// temporary links and versions no table points at. It runs under the
// lock, so no other export is using them.
func cleanLeftovers(dir string, logger *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	live := map[string]bool{}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".tmp-") {
			os.Remove(p)
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			if t, err := os.Readlink(p); err == nil && ownVersion(dir, t) != "" {
				live[filepath.Base(t)] = true
			}
		}
	}
	for _, sub := range []string{stagingDir, versionsDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		for _, e := range entries {
			if sub == versionsDir && live[e.Name()] {
				continue
			}
			p := filepath.Join(dir, sub, e.Name())
			logger.Info("parquet: removing leftover of an interrupted export", "path", p)
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("parquet: %w", err)
			}
		}
	}
	return nil
}

// lock serialises exports to dir, across processes too.
func lock(ctx context.Context, dir string) (func(), error) {
	fl := flock.New(filepath.Join(dir, lockName))
	ok, err := fl.TryLockContext(ctx, 100*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("parquet: lock %s: %w", fl.Path(), err)
	}
	if !ok {
		return nil, fmt.Errorf("parquet: lock %s: %w", fl.Path(), ctx.Err())
	}
	return func() { fl.Unlock() }, nil
}

// syncDir makes the renames durable; best effort, as not every file system
// supports syncing a directory.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
