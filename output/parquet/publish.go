package parquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// swapped is a table that now points at its new version.
type swapped struct {
	aside string       // a real folder of an older layout moved aside, to delete once all tables are published
	undo  func() error // points the table back at its previous version
}

// publishAll moves the staged exports to .versions and swaps each table's
// symlink, then renames their manifests into place (and those of kept
// versions whose stale mark changed). If one step fails, what was done is
// undone, so the previous exports stay published as a whole. A replaced
// version is marked retired at now and stays for the grace period (see
// sweep); a reader that already opened its files keeps reading them even
// after that (an unlinked file lives on while open).
func publishAll(dir string, exports []staged, now time.Time, logger *slog.Logger) error {
	var undo []func() error
	rollback := func(err error) error {
		for i := len(undo) - 1; i >= 0; i-- {
			err = errors.Join(err, undo[i]())
		}
		return err
	}
	var asides []string
	for _, s := range exports {
		if s.path == "" {
			continue
		}
		version := filepath.Base(s.path)
		dst := filepath.Join(dir, versionsDir, version)
		if err := os.Rename(s.path, dst); err != nil {
			return rollback(fmt.Errorf("parquet: table %q: %w", s.manifest.Table, err))
		}
		sw, err := swap(dir, s.manifest.Table, version, now)
		if err != nil {
			os.RemoveAll(dst)
			return rollback(fmt.Errorf("parquet: table %q: publish: %w", s.manifest.Table, err))
		}
		undo = append(undo, sw.undo)
		if sw.aside != "" {
			asides = append(asides, sw.aside)
		}
	}
	for _, s := range exports {
		if !s.rewrite {
			continue
		}
		u, err := publishManifest(dir, s.manifest)
		if err != nil {
			return rollback(fmt.Errorf("parquet: table %q: manifest: %w", s.manifest.Table, err))
		}
		undo = append(undo, u)
	}
	syncDir(dir)
	syncDir(filepath.Join(dir, manifestsDir))
	for _, p := range asides {
		if err := os.RemoveAll(p); err != nil {
			// Published already; the next export removes the leftover.
			logger.Warn("parquet: previous export not removed", "path", p, "error", err)
		}
	}
	return nil
}

// publishManifest renames m's manifest over the table's; the returned
// function puts the previous one back.
func publishManifest(dir string, m Manifest) (func() error, error) {
	path := ManifestPath(dir, m.Table)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	hadOld := err == nil
	if err := replaceFile(path, func(tmp string) error { return writeJSON(tmp, m) }); err != nil {
		return nil, err
	}
	return func() error {
		if !hadOld {
			return os.Remove(path)
		}
		return replaceFile(path, func(tmp string) error { return os.WriteFile(tmp, old, 0o666) })
	}, nil
}

// replaceFile writes a file next to path with write and renames it over
// path, so readers see the old or the new file whole.
func replaceFile(path string, write func(tmp string) error) error {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".tmp-%d-%d-%s", os.Getpid(), rand.Uint64(), filepath.Base(path)))
	if err := write(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// swap points <dir>/<table> at .versions/<version> by renaming a new
// symlink over it: rename(2) replaces the old link atomically. A real
// folder left by an older layout cannot be renamed over, so it is first
// moved aside; for that one-time change the path is briefly missing,
// never half-written.
func swap(dir, table, version string, now time.Time) (swapped, error) {
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
		// Marked before the swap: a version no link points at and without
		// a mark was never published and is removed by the next sweep.
		// A hand-made link's target is never ours to mark or delete.
		if old := ownVersion(dir, oldTarget); old != "" {
			if err := retire(old, table, now); err != nil {
				os.Remove(tmp)
				return swapped{}, err
			}
		}
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return swapped{}, err
		}
		return swapped{
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
		return swapped{aside: aside, undo: func() error {
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

// retirement is the content of a <version>.retired mark.
type retirement struct {
	Table     string    `json:"table"`
	RetiredAt time.Time `json:"retired_at"`
}

// retire marks the version folder path as replaced at now.
func retire(path, table string, now time.Time) error {
	return writeJSON(path+retiredSuffix, retirement{Table: table, RetiredAt: now.UTC()})
}

// sweep removes what an interrupted export left (staged folders,
// temporary files, versions never published) and the replaced versions
// whose time is up: older than o.Grace and not among the o.KeepPrevious
// newest of their table. It runs under the lock, so no other export is
// using them.
func sweep(dir string, o Options) error {
	now := o.Now().UTC()
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
	remove := func(p, why string) error {
		o.Logger.Info("parquet: removing "+why, "path", p)
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		return nil
	}
	for _, sub := range []string{stagingDir, manifestsDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		for _, e := range entries {
			if sub == stagingDir || strings.HasPrefix(e.Name(), ".tmp-") {
				if err := remove(filepath.Join(dir, sub, e.Name()), "leftover of an interrupted export"); err != nil {
					return err
				}
			}
		}
	}

	vdir := filepath.Join(dir, versionsDir)
	entries, err = os.ReadDir(vdir)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	marks := map[string]bool{}
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), retiredSuffix); ok && !e.IsDir() {
			marks[name] = true
		}
	}
	type old struct {
		name string
		retirement
	}
	byTable := map[string][]old{}
	for _, e := range entries {
		name, p := e.Name(), filepath.Join(vdir, e.Name())
		switch {
		case !e.IsDir():
			if v, ok := strings.CutSuffix(name, retiredSuffix); !ok || live[v] || !dirExists(filepath.Join(vdir, v)) {
				os.Remove(p) // a stray file, the mark of a live version or of a removed one
			}
		case live[name]:
		case !marks[name]:
			if err := remove(p, "leftover of an interrupted export"); err != nil {
				return err
			}
		default:
			var r retirement
			b, err := os.ReadFile(p + retiredSuffix)
			if err != nil || json.Unmarshal(b, &r) != nil || r.Table == "" {
				// A mark cut short by a crash: count the grace from now.
				r = retirement{Table: versionTable(name), RetiredAt: now}
				if err := retire(p, r.Table, now); err != nil {
					return fmt.Errorf("parquet: %w", err)
				}
			}
			byTable[r.Table] = append(byTable[r.Table], old{name, r})
		}
	}
	for _, olds := range byTable {
		sort.Slice(olds, func(i, j int) bool { return olds[i].RetiredAt.After(olds[j].RetiredAt) })
		for i, v := range olds {
			if i < o.KeepPrevious || now.Sub(v.RetiredAt) < o.Grace {
				continue
			}
			p := filepath.Join(vdir, v.name)
			if err := remove(p, "version replaced at "+v.RetiredAt.Format(time.RFC3339)+", past the grace period"); err != nil {
				return err
			}
			os.Remove(p + retiredSuffix)
		}
	}
	return nil
}

// versionTable is the table of a version folder named <table>-<time>-<n>.
func versionTable(name string) string {
	for range 2 {
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
	}
	return name
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
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
