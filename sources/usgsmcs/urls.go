package usgsmcs

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tradewh/tradewh/internal/atomicfile"
	"github.com/tradewh/tradewh/sources/fetch"
)

// fetchURLs downloads MCS data-release files (e.g. from ScienceBase) through
// the shared HTTP client, so each lands in the raw landing zone, and returns
// local copies named as published: the file name carries the edition and
// the commodity of a world table. With replay, nothing is fetched: the
// copies come from the landing zone.
func (s *Source) fetchURLs(ctx context.Context) ([]string, error) {
	var out []string
	for _, raw := range s.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("urls: %q is not an http(s) URL", fetch.Redact(raw))
		}
		name := path.Base(u.Path)
		ext := strings.ToLower(path.Ext(name))
		if ext != ".csv" && ext != ".xlsx" {
			return nil, fmt.Errorf("urls: %s: not a .csv or .xlsx file", fetch.Redact(raw))
		}
		client := fetch.New(fetch.Config{Source: Kind, RawDir: s.RawDir, HTTP: s.HTTP, Logger: s.Logger,
			Ext: ext[1:], Replay: s.Replay, RatePerSecond: 2})
		resp, err := client.Get(ctx, raw, http.Header{})
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(s.RawDir, Kind, "files", name)
		err = copyFile(resp.BodyPath, dst)
		resp.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, dst)
	}
	return out, nil
}

// copyFile copies src to dst atomically (temporary file, then rename).
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Copy(dst, in, atomicfile.Options{Pattern: ".part-*"})
}
