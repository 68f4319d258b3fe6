package sheet

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/atomicfile"
)

// The job's folder in the landing zone holds the loaded files and the
// record of what was loaded:
//
//	<RawDir>/sheet/<job>/<sha256 prefix>-<file name>   a loaded file, as it was
//	<RawDir>/sheet/<job>/seen.json                      files loaded and committed

const stateFile = "seen.json"

// state is seen.json: the files whose load committed, by content hash.
type state struct {
	Version int                 `json:"version"`
	Files   map[string]seenFile `json:"files"`
}

type seenFile struct {
	SHA256   string    `json:"sha256"`
	Path     string    `json:"path"`    // as loaded (the source_ref)
	Landed   string    `json:"landed"`  // copy in the landing zone, relative to the job folder
	Mapping  string    `json:"mapping"` // config fingerprint it was loaded with
	Rows     int64     `json:"rows"`
	Rejected int64     `json:"rejected"`
	LoadedAt time.Time `json:"loaded_at"`
}

// jobDir is the job's folder in the landing zone (” without one).
func (s *Source) jobDir() string {
	if s.rt.RawDir == "" {
		return ""
	}
	job := safeName(s.rt.JobName)
	if job == "" {
		job = "default"
	}
	return filepath.Join(s.rt.RawDir, Kind, job)
}

func (s *Source) statePath() string {
	if d := s.jobDir(); d != "" {
		return filepath.Join(d, stateFile)
	}
	return ""
}

func readState(path string) (*state, error) {
	st := &state{Version: 1, Files: map[string]seenFile{}}
	if path == "" {
		return st, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it to load every file again)", path, err)
	}
	if st.Files == nil {
		st.Files = map[string]seenFile{}
	}
	return st, nil
}

// recordLoaded adds files to the state file, replacing it atomically so a
// crash leaves the old state or the new one, never half of either.
func recordLoaded(path string, files []seenFile) error {
	st, err := readState(path)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, f := range files {
		f.LoadedAt = now
		st.Files[f.SHA256] = f
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'))
}

func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, atomicfile.Options{Pattern: ".part-*", Sync: true})
}

// land copies a file into the job's landing folder, once per content.
func (s *Source) land(path string, data []byte, sum string) (string, error) {
	dir := s.jobDir()
	if dir == "" {
		return "", nil
	}
	name := sum[:12] + "-" + safeName(filepath.Base(path))
	dst := filepath.Join(dir, name)
	if _, err := os.Stat(dst); err == nil {
		return name, nil
	}
	if err := writeAtomic(dst, data); err != nil {
		return "", fmt.Errorf("%s: copying to the landing zone: %w", path, err)
	}
	return name, nil
}

// inFile is a file to load: where to read it and how rows name it.
type inFile struct {
	path   string
	ref    string
	landed string // set when read from the landing zone
}

// inputs lists the files to load: the configured files and globs, or,
// when replaying, the landed copies of every committed file in load order.
func (s *Source) inputs() ([]inFile, error) {
	if s.rt.Replay {
		return s.replayInputs()
	}
	files, err := etl.ExpandPaths(s.paths, etl.PathOptions{
		Hint: "*.xlsx", FollowLinks: s.followLinks,
		Keep: func(m string, _ bool) (bool, error) {
			base := filepath.Base(m)
			switch {
			case strings.HasPrefix(base, "~$") || strings.HasPrefix(base, ".~lock."):
				s.log.Info("file skipped: an office lock file", "file", m)
				return false, nil
			case !isXLSX(m) && !isCSV(m):
				return false, fmt.Errorf("%s: not a .xlsx, .xlsm or .csv file", m)
			}
			return true, nil
		},
		// An empty inbox is normal between deliveries.
		NoMatch: func(p string) error { s.log.Info("no file matches", "pattern", p); return nil },
	})
	if err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	out := make([]inFile, len(files))
	for i, f := range files {
		out[i] = inFile{path: f, ref: f}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

func (s *Source) replayInputs() ([]inFile, error) {
	dir := s.jobDir()
	if dir == "" {
		return nil, fmt.Errorf("%s: replay needs a landing zone (raw dir)", Kind)
	}
	st, err := readState(s.statePath())
	if err != nil {
		return nil, err
	}
	files := make([]seenFile, 0, len(st.Files))
	for _, f := range st.Files {
		files = append(files, f)
	}
	// Load order matters: a later version of a file revises the earlier.
	sort.Slice(files, func(i, j int) bool {
		if !files[i].LoadedAt.Equal(files[j].LoadedAt) {
			return files[i].LoadedAt.Before(files[j].LoadedAt)
		}
		return files[i].Path < files[j].Path
	})
	out := make([]inFile, 0, len(files))
	for _, f := range files {
		if f.Landed == "" || filepath.Base(f.Landed) != f.Landed {
			return nil, fmt.Errorf("%s: bad landed file name %q for %s", s.statePath(), f.Landed, f.Path)
		}
		out = append(out, inFile{path: filepath.Join(dir, f.Landed), ref: f.Path, landed: f.Landed})
	}
	s.log.Info("replaying landed files", "files", len(out), "from", dir)
	return out, nil
}

// readInput reads a whole file and its sha256: spreadsheets are small, and
// hashing, landing and parsing the same bytes keeps them consistent.
func readInput(path string) ([]byte, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

func isXLSX(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".xlsx", ".xlsm":
		return true
	}
	return false
}

func isCSV(p string) bool { return strings.EqualFold(filepath.Ext(p), ".csv") }

// safeName keeps a name usable as one file name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), ".")
}
