package etl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ExpandFiles resolves the files and glob patterns of a file source, in
// order and without duplicates. A pattern matching nothing, a missing file
// or a folder is an error naming it: a load that quietly read nothing would
// look like a success. pattern is the example given for a folder ("*.csv").
func ExpandFiles(paths []string, pattern string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("no paths given")
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		matches := []string{p}
		if IsPattern(p) {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("bad pattern %q: %w", p, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("no file matches %q", p)
			}
			sort.Strings(m)
			matches = m
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				return nil, err
			}
			if st.IsDir() {
				return nil, fmt.Errorf("%s is a folder; give files or a pattern such as %s", m, filepath.Join(m, pattern))
			}
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// IsPattern reports whether p is to be read as a glob pattern: it holds a
// pattern character and names no existing file or folder ("report [v2].csv"
// is a file when it exists).
func IsPattern(p string) bool {
	return strings.ContainsAny(p, "*?[") && !exists(p)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// HeaderOnly reports whether a text file holds a header line and nothing
// else (blank lines aside): a load of it succeeds with no rows, which a
// source says as a warning. Only the first 64 KiB are read: a file longer
// than that is not header-only.
func HeaderOnly(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, buf)
	if n == len(buf) {
		return false
	}
	text := strings.TrimPrefix(string(buf[:n]), "\ufeff")
	head, rest, _ := strings.Cut(strings.TrimLeft(text, "\r\n"), "\n")
	return strings.TrimSpace(head) != "" && strings.TrimSpace(rest) == ""
}

// UniqueStrings trims the items of l and drops empty ones and repeats,
// keeping the first occurrence's order.
func UniqueStrings(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
