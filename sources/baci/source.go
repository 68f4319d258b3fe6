package baci

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/tradewh/tradewh/etl"
)

// Source reads BACI files into trade_flows.
type Source struct {
	opts options
	rt   etl.Runtime
}

// fileName is BACI's naming scheme: revision, year and release.
var fileName = regexp.MustCompile(`(?i)^BACI_HS(\d\d)_Y(\d{4})_V(\w+)\.csv$`)

// revisions maps the two digits of a file name to the HS revision.
var revisions = map[string]string{
	"92": "HS1992", "96": "HS1996", "02": "HS2002", "07": "HS2007",
	"12": "HS2012", "17": "HS2017", "22": "HS2022",
}

// fileInfo is what a BACI file name says.
type fileInfo struct {
	revision string // '' when the name does not follow BACI's scheme
	version  string // e.g. 202401
}

func parseFileName(path string) fileInfo {
	m := fileName.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return fileInfo{}
	}
	return fileInfo{revision: revisions[m[1]], version: m[3]}
}

// Extract streams every file to sink.
func (s *Source) Extract(ctx context.Context, sink etl.Sink) error {
	files, err := etl.ExpandPaths(s.opts.paths, etl.PathOptions{Hint: "BACI_*.csv", FollowLinks: s.opts.followLinks})
	if err != nil {
		return fmt.Errorf("baci: %w", err)
	}
	var total int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			total += st.Size()
		}
	}
	prog := s.rt.StartProgress(Kind, total)
	defer prog.Done()
	products := newProductTable(s.opts.prefixes)
	maps := map[string]*countryMap{}
	b := newBatchBuilder(s.opts.batchRows)
	defer b.release()
	defer products.release()
	for _, f := range files {
		info := parseFileName(f)
		if info.revision == "" && s.rt.Logger != nil {
			s.rt.Logger.Warn("BACI file name does not say its HS revision; hs_revision left empty", "file", f)
		}
		ccPath := s.opts.countryCodes
		if ccPath == "" {
			ccPath = findCountryCodes(f, info.version)
		}
		cm, ok := maps[ccPath]
		if !ok {
			if cm, err = loadCountryMap(ccPath); err != nil {
				return fmt.Errorf("baci: %w", err)
			}
			maps[ccPath] = cm
		}
		p := &parser{ref: f, revision: info.revision, sink: sink, countries: cm, products: products,
			reporters: cm.filter(s.opts.reporters), b: b, prog: prog}
		if err := p.readFile(ctx); err != nil {
			return fmt.Errorf("baci: %w", err)
		}
		if s.rt.Logger != nil && etl.HeaderOnly(f) {
			s.rt.Logger.Warn("baci: the file holds a header and no data rows", "file", f)
		}
	}
	return nil
}

// findCountryCodes returns the country_codes file BACI ships beside a data
// file: the same release if present, else the newest one, else "".
func findCountryCodes(dataFile, version string) string {
	dir := filepath.Dir(dataFile)
	if version != "" {
		p := filepath.Join(dir, "country_codes_V"+version+".csv")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	m, _ := filepath.Glob(filepath.Join(dir, "country_codes_V*.csv"))
	if len(m) == 0 {
		return ""
	}
	sort.Strings(m)
	return m[len(m)-1]
}
