package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tradewh/tradewh/internal/atomicfile"
)

// The raw landing zone keeps every response body as it came, so a load can
// be audited and replayed without the network:
//
//	<RawDir>/<source>/<YYYY-MM-DD>/<request id>.<ext>        the body
//	<RawDir>/<source>/<YYYY-MM-DD>/<request id>.meta.json    its sidecar
//
// The request id is a hash of the method and the redacted URL, so the same
// request lands in the same file (the latest retrieval of a day wins) and
// no file name can carry a secret.

// Meta is the sidecar of a stored response.
type Meta struct {
	Source      string    `json:"source"`
	Method      string    `json:"method"`
	URL         string    `json:"url"` // redacted: never holds a key
	Status      int       `json:"status"`
	ContentType string    `json:"content_type,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
	Bytes       int64     `json:"bytes"`
	SHA256      string    `json:"sha256"`  // of the stored body
	Attempt     int       `json:"attempt"` // 1 for the first try
	Body        string    `json:"body"`    // body file name, next to the sidecar
}

// Stored is a response in the landing zone.
type Stored struct {
	Meta
	BodyPath string
	MetaPath string
}

// Open opens the stored body.
func (s Stored) Open() (io.ReadCloser, error) { return os.Open(s.BodyPath) }

const metaSuffix = ".meta.json"

// RequestID names a request in the landing zone. Pass a redacted URL.
func RequestID(method, redactedURL string) string {
	sum := sha256.Sum256([]byte(method + " " + redactedURL))
	return hex.EncodeToString(sum[:16])
}

// SourceDir is where a source's responses land.
func SourceDir(rawDir, source string) string {
	return filepath.Join(rawDir, safeName(source))
}

// safeName keeps a source name usable as one folder name.
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
	if b.Len() == 0 || strings.Trim(b.String(), ".") == "" {
		return "_"
	}
	return b.String()
}

// List returns the stored responses of a source, oldest first.
func List(rawDir, source string) ([]Stored, error) {
	root := SourceDir(rawDir, source)
	var out []Stored
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, metaSuffix) {
			return nil
		}
		s, err := readStored(path)
		if err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing landing zone %s: %w", root, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].RetrievedAt.Equal(out[j].RetrievedAt) {
			return out[i].RetrievedAt.Before(out[j].RetrievedAt)
		}
		return out[i].MetaPath < out[j].MetaPath
	})
	return out, nil
}

// Lookup returns the latest stored response of a request (by its URL, which
// may still hold a key: it is redacted first).
func Lookup(rawDir, source, method, rawURL string) (Stored, error) {
	red := Redact(rawURL)
	id := RequestID(method, red)
	days, _ := filepath.Glob(filepath.Join(SourceDir(rawDir, source), "*", id+metaSuffix))
	if len(days) == 0 {
		return Stored{}, fmt.Errorf("%s: no stored response for %s %s under %s", source, method, red, SourceDir(rawDir, source))
	}
	sort.Strings(days) // YYYY-MM-DD folders sort by date
	return readStored(days[len(days)-1])
}

func readStored(metaPath string) (Stored, error) {
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return Stored{}, err
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return Stored{}, fmt.Errorf("%s: %w", metaPath, err)
	}
	if m.Body == "" || filepath.Base(m.Body) != m.Body {
		return Stored{}, fmt.Errorf("%s: bad body file name %q", metaPath, m.Body)
	}
	return Stored{Meta: m, BodyPath: filepath.Join(filepath.Dir(metaPath), m.Body), MetaPath: metaPath}, nil
}

// spool writes a body to a temporary file, scrubbing secrets and hashing
// what it writes, then commits it to its final name.
type spool struct {
	f     *os.File
	w     *scrubWriter
	sum   hash.Hash
	n     int64
	final string // body path once committed; '' for a throwaway spool
}

func newSpool(dir, final string, secrets []string) (*spool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return nil, err
	}
	s := &spool{f: f, sum: sha256.New(), final: final}
	s.w = newScrubWriter(io.MultiWriter(f, s.sum, (*counter)(&s.n)), secrets)
	return s, nil
}

type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

func (s *spool) Write(p []byte) (int, error) { return s.w.Write(p) }

// abort removes the partial file.
func (s *spool) abort() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// commit closes the body, moves it to its final name (when it has one) and
// writes the sidecar. It returns the body path.
func (s *spool) commit(m Meta) (string, error) {
	if err := s.w.Close(); err != nil {
		s.abort()
		return "", err
	}
	if err := s.f.Close(); err != nil {
		os.Remove(s.f.Name())
		return "", err
	}
	if s.final == "" {
		return s.f.Name(), nil
	}
	if err := os.Rename(s.f.Name(), s.final); err != nil {
		os.Remove(s.f.Name())
		return "", err
	}
	m.Bytes, m.SHA256, m.Body = s.n, hex.EncodeToString(s.sum.Sum(nil)), filepath.Base(s.final)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	metaPath := strings.TrimSuffix(s.final, filepath.Ext(s.final)) + metaSuffix
	return s.final, atomicfile.WriteFile(metaPath, append(b, '\n'), atomicfile.Options{Pattern: filepath.Base(metaPath) + ".part-*", Perm: 0o644})
}
