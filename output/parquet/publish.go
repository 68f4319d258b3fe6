package parquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/tradewh/tradewh/internal/atomicfile"
)

// swapped is a table whose folder now holds its new version.
type swapped struct {
	old  string       // the folder that was published, moved aside, to delete once all tables are published
	undo func() error // publishes the previous folder again
}

// publishAll moves the staged exports into the version store and swaps
// each table's folder for a tree of links to its new version, then
// renames their manifests into place (and those of kept versions whose
// stale mark changed). If one step fails, what was done is undone, so the
// previous exports stay published as a whole. A replaced version is
// marked retired at now and stays in the store for the grace period (see
// sweep), at the path its manifest named; a reader that already opened
// its files keeps reading them even after that (an unlinked file lives
// on while open).
func publishAll(dir string, exports []staged, now time.Time, logger *slog.Logger) error {
	var undo []func() error
	rollback := func(err error) error {
		for i := len(undo) - 1; i >= 0; i-- {
			err = errors.Join(err, undo[i]())
		}
		return err
	}
	var olds []string
	for _, s := range exports {
		if s.path == "" {
			continue
		}
		dst := filepath.Join(VersionsDir(dir), filepath.Base(s.path))
		if err := os.Rename(s.path, dst); err != nil {
			return rollback(fmt.Errorf("parquet: table %q: %w", s.manifest.Table, err))
		}
		sw, err := swap(dir, s.manifest, dst, now)
		if err != nil {
			os.RemoveAll(dst)
			return rollback(fmt.Errorf("parquet: table %q: publish: %w", s.manifest.Table, err))
		}
		undo = append(undo, sw.undo)
		if sw.old != "" {
			olds = append(olds, sw.old)
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
	for _, p := range olds {
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
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := replaceFile(path, append(b, '\n'), true); err != nil {
		return nil, err
	}
	return func() error {
		if !hadOld {
			return os.Remove(path)
		}
		return replaceFile(path, old, false)
	}, nil
}

// replaceFile writes data next to path (synced first when sync is set) and
// renames it over path, so readers see the old or the new file whole. The
// temporary name starts ".tmp-", which the cleanup of a failed export knows.
func replaceFile(path string, data []byte, sync bool) error {
	pattern := fmt.Sprintf(".tmp-%d-*-%s", os.Getpid(), filepath.Base(path))
	return atomicfile.WriteFile(path, data, atomicfile.Options{Pattern: pattern, Perm: 0o666, Sync: sync})
}

// swap publishes version (a folder of the store) as <dir>/<table>: it
// builds a tree of hard links to the version's files beside the version
// and exchanges it with the published folder in one rename (see
// exchange), so a reader lists the old folder or the new one, never a
// mixture. The version the table's manifest names is marked retired first.
func swap(dir string, m Manifest, version string, now time.Time) (swapped, error) {
	tree, err := linkTree(version, m.Table, m.Files)
	if err != nil {
		return swapped{}, err
	}
	folder := filepath.Join(dir, m.Table)
	if _, err := os.Lstat(folder); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tree, folder); err != nil {
			os.RemoveAll(tree)
			return swapped{}, err
		}
		return swapped{undo: func() error { return errors.Join(os.RemoveAll(folder), os.RemoveAll(version)) }}, nil
	} else if err != nil {
		os.RemoveAll(tree)
		return swapped{}, err
	}
	// Marked before the swap: a version no manifest names and without a
	// mark was never published and is removed by the next sweep.
	if prev, ok := manifestVersion(dir, m.Table); ok {
		if err := retire(prev, m.Table, now); err != nil {
			os.RemoveAll(tree)
			return swapped{}, err
		}
	}
	if err := exchange(tree, folder); err != nil {
		os.RemoveAll(tree)
		return swapped{}, err
	}
	return swapped{old: tree, undo: func() error {
		return errors.Join(exchange(tree, folder), os.RemoveAll(tree), os.RemoveAll(version))
	}}, nil
}

// linkTree makes a folder beside version with a hard link to each of its
// files: the published folder shares the version's files, so publishing
// copies nothing. Where hard links are not possible the files are copied.
func linkTree(version, table string, files []string) (string, error) {
	tree, err := mkdirUnique(filepath.Join(filepath.Dir(version), stagingDir), "publish-"+table+"-")
	if err != nil {
		return "", err
	}
	for _, f := range files {
		src, dst := filepath.Join(version, filepath.FromSlash(f)), filepath.Join(tree, filepath.FromSlash(f))
		err := os.MkdirAll(filepath.Dir(dst), 0o777)
		if err == nil && os.Link(src, dst) != nil {
			err = copyFile(src, dst)
		}
		if err != nil {
			os.RemoveAll(tree)
			return "", err
		}
	}
	return tree, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Sync(), out.Close())
}

// manifestVersion is the store folder that table's published manifest
// names, if it names one of ours.
func manifestVersion(dir, table string) (string, bool) {
	var m Manifest
	b, err := os.ReadFile(ManifestPath(dir, table))
	if err != nil || json.Unmarshal(b, &m) != nil || m.Table != table || m.Version == "" {
		return "", false
	}
	v := ownVersion(dir, m.Version)
	return v, v != ""
}

// versionName is what a manifest's Version says for the store folder v:
// its path relative to the export folder, with '/' (relative, so the
// warehouse folder may be moved).
func versionName(dir, v string) string {
	rel, err := filepath.Rel(dir, v)
	if err != nil {
		return filepath.ToSlash(v)
	}
	return filepath.ToSlash(rel)
}

// ownVersion returns the store folder a manifest's Version names if it is
// one of ours, else "".
func ownVersion(dir, version string) string {
	p := filepath.FromSlash(version)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	p = filepath.Clean(p)
	if filepath.Dir(p) != filepath.Clean(VersionsDir(dir)) || strings.HasPrefix(filepath.Base(p), ".") {
		return ""
	}
	return p
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
// temporary files, versions never published), the folders of the older
// layout that kept versions inside the export folder, and the replaced
// versions whose time is up: older than o.Grace and not among the
// o.KeepPrevious newest of their table. It runs under the lock, so no
// other export is using them.
func sweep(dir string, o Options) error {
	now := o.Now().UTC()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	remove := func(p, why string) error {
		o.Logger.Info("parquet: removing "+why, "path", p)
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		return nil
	}
	legacyLinks := false
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), ".tmp-"):
			os.Remove(p)
		case e.Type()&fs.ModeSymlink != 0:
			legacyLinks = true // a table of the older layout, not exported again yet
		}
	}
	// The older layout kept versions in the export folder, where scans of
	// the whole folder read them; they go once no link points there.
	if !legacyLinks {
		for _, sub := range []string{".versions", ".staging"} {
			if p := filepath.Join(dir, sub); dirExists(p) {
				if err := remove(p, "versions of an older layout, inside the published folder"); err != nil {
					return err
				}
			}
		}
	}
	live := map[string]bool{}
	manifests, err := os.ReadDir(filepath.Join(dir, manifestsDir))
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	for _, e := range manifests {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			if err := remove(filepath.Join(dir, manifestsDir, e.Name()), "leftover of an interrupted export"); err != nil {
				return err
			}
			continue
		}
		if v, ok := manifestVersion(dir, strings.TrimSuffix(e.Name(), ".json")); ok {
			live[filepath.Base(v)] = true
		}
	}
	staging := filepath.Join(VersionsDir(dir), stagingDir)
	leftovers, err := os.ReadDir(staging)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	for _, e := range leftovers {
		if err := remove(filepath.Join(staging, e.Name()), "leftover of an interrupted export"); err != nil {
			return err
		}
	}

	vdir := VersionsDir(dir)
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
		case name == stagingDir:
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

// exchangeByRenames swaps a and b with three renames: b is missing between
// the first two, and put back if the second fails.
func exchangeByRenames(a, b string) error {
	aside := a + ".aside"
	if err := os.Rename(b, aside); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		return errors.Join(err, os.Rename(aside, b))
	}
	return os.Rename(aside, a)
}
