package usgsmcs

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/tradewh/tradewh/etl"
)

// inboxPaths drops the paths of an inbox that hold nothing to read: a
// folder that does not exist (yet) or holds no table file, a glob matching
// nothing. Between deliveries that is normal, so it is logged, not an
// error. Other paths are kept for findFiles, which reports their problems.
func inboxPaths(paths []string, log *slog.Logger) []string {
	var out []string
	for _, p := range paths {
		if why := emptyInbox(p); why != "" {
			log.Info("usgs-mcs: nothing new in the inbox", "path", p, "reason", why)
			continue
		}
		out = append(out, p)
	}
	return out
}

// emptyInbox says why p holds nothing to read, or "" when it may.
func emptyInbox(p string) string {
	if etl.IsPattern(p) {
		if m, err := filepath.Glob(p); err == nil && len(m) == 0 {
			return "no file matches"
		}
		return ""
	}
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "the folder does not exist"
	case err != nil || !st.IsDir():
		return ""
	}
	found := false
	_ = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && tableFile.MatchString(d.Name()) {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	if !found {
		return "the folder holds no mcsYYYY-<abbr>_salient or _world table"
	}
	return ""
}
