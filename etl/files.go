package etl

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PathOptions say how ExpandPaths treats what a file source's paths find.
// The zero value: files as given, glob patterns matched, in the order
// given without repeats; a pattern that matches nothing, a missing file or
// a folder given as a path is an error naming it, for a load that quietly
// read nothing would look like a success.
type PathOptions struct {
	// Hint is the pattern a folder given as a path is answered with
	// ("DIR is a folder; give files or a pattern such as DIR/*.csv").
	Hint string
	// Walk searches a folder given or matched for the files Keep takes,
	// recursively and in name order; a folder with none is an error that
	// says it holds no Want.
	Walk bool
	Want string
	// Keep decides on each file, found in a folder (inFolder) or named by
	// a path or pattern: take it, skip it (false), or fail the expansion.
	// nil takes every file.
	Keep func(path string, inFolder bool) (bool, error)
	// NoMatch answers a pattern that matches nothing; nil makes it an
	// error. An inbox between deliveries returns nil to carry on.
	NoMatch func(pattern string) error
	// FollowLinks takes a file that a folder search or a pattern finds
	// even when it is, or lies under, a link to somewhere outside the
	// folder searched (the pattern's folder); without it that is an error,
	// for whoever can drop a link in an inbox could otherwise have any file
	// the job can read loaded, or quoted in a rejection. A file named as a
	// path is taken wherever it leads.
	FollowLinks bool
}

// FollowLinksField is the setting of a file source that sets
// PathOptions.FollowLinks.
var FollowLinksField = Field{Name: "follow_links", Type: TypeBool, Default: false,
	Doc: "take files that a folder or pattern finds through a link to outside that folder (default: such a link is an error)"}

// ExpandPaths resolves the files and glob patterns of a file source as o
// says. A folder that a pattern matches is skipped unless o.Walk searches
// it; one given as a path is an error unless o.Walk searches it.
func ExpandPaths(paths []string, o PathOptions) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("no paths given")
	}
	seen := map[string]bool{}
	var out []string
	keep := func(f string, inFolder bool) error {
		if seen[f] {
			return nil
		}
		if o.Keep != nil {
			ok, err := o.Keep(f, inFolder)
			if err != nil || !ok {
				return err
			}
		}
		seen[f] = true
		out = append(out, f)
		return nil
	}
	for _, p := range paths {
		matches := []string{p}
		pattern := IsPattern(p)
		if pattern {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("bad pattern %q: %w", p, err)
			}
			sort.Strings(m)
			matches = m
		}
		files := 0
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				return nil, err
			}
			switch {
			case !st.IsDir():
				files++
				if pattern && !o.FollowLinks {
					if err := within(m, patternFolder(p)); err != nil {
						return nil, err
					}
				}
				if err := keep(m, false); err != nil {
					return nil, err
				}
			case o.Walk:
				n := len(out)
				err := filepath.WalkDir(m, func(f string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					files++
					if !o.FollowLinks {
						if err := within(f, m); err != nil {
							return err
						}
					}
					return keep(f, true)
				})
				if err != nil {
					return nil, err
				}
				if len(out) == n {
					return nil, fmt.Errorf("folder %q holds no %s", m, o.Want)
				}
			case m == p:
				return nil, fmt.Errorf("%s is a folder; give files or a pattern such as %s", m, filepath.Join(m, o.Hint))
			}
		}
		if files == 0 { // a pattern that matched nothing, or folders only
			if o.NoMatch == nil {
				return nil, fmt.Errorf("no file matches %q", p)
			}
			if err := o.NoMatch(p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// within fails when file, found in folder, resolves (following links) to
// a place outside it. Only the target's path is named, never its content.
func within(file, folder string) error {
	real, err := filepath.EvalSymlinks(file)
	if err != nil {
		return err
	}
	base, err := filepath.EvalSymlinks(folder)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(base, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil
	}
	return fmt.Errorf("%s leads through a link to %s, outside %s: links out of a job's folders are not followed (set %s: true to take it)",
		file, real, folder, FollowLinksField.Name)
}

// patternFolder is the folder a pattern searches: its leading path
// elements without pattern characters.
func patternFolder(p string) string {
	for strings.ContainsAny(p, "*?[") {
		p = filepath.Dir(p)
	}
	return p
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
