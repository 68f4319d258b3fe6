package usgsmcs

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/workbook"
)

// tableFile matches the data-release table files a folder search takes;
// the summary tables (MCS2024_T5_...) have other layouts.
var tableFile = regexp.MustCompile(`(?i)(^|[^a-z0-9])mcs\d{4}[-_][a-z]+(-[a-z]+)*_(salient|world)[^.]*\.(csv|xlsx)$`)

// findFiles expands paths: files as given, folders searched recursively
// for table files, globs matched. A path or glob that finds nothing is an
// error.
func findFiles(paths []string, followLinks bool, log *slog.Logger) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil // an inbox with nothing new
	}
	files, err := etl.ExpandPaths(paths, etl.PathOptions{
		Walk: true, Want: "mcsYYYY-<abbr>_salient or _world table", FollowLinks: followLinks,
		Keep: func(f string, inFolder bool) (bool, error) {
			if !inFolder || tableFile.MatchString(filepath.Base(f)) {
				return true, nil
			}
			if ext := strings.ToLower(filepath.Ext(f)); ext == ".csv" || ext == ".xlsx" {
				log.Info("usgs-mcs: not a salient or world table file name, skipped", "file", f)
			}
			return false, nil
		},
		NoMatch: func(p string) error { return fmt.Errorf("%q matches no file", p) },
	})
	if err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	return files, nil // in the order given: the first file wins a repeated statistic
}

// readFile reads the tables of a CSV file or XLSX workbook.
func readFile(path string) ([]*table, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		t, err := readCSV(path)
		if err != nil {
			return nil, err
		}
		return []*table{t}, nil
	case ".xlsx":
		return readXLSX(path)
	}
	return nil, fmt.Errorf("%s: not a .csv or .xlsx file", path)
}

func readCSV(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := etl.NewCSVReader(f)
	r.FieldsPerRecord = -1 // trailing empty columns vary by row
	r.LazyQuotes = true
	t := &table{path: path, ref: path, csv: true}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if t.header == nil {
			if blank(rec) {
				continue
			}
			t.header = rec
			continue
		}
		t.rows = append(t.rows, rec)
	}
	if t.header == nil {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	return t, nil
}

// readXLSX returns every sheet whose first row is an MCS table header; the
// workbooks also hold formatted copies and metadata sheets.
func readXLSX(path string) ([]*table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := workbook.Open(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	defer f.Close()
	var out []*table
	sheets := f.GetSheetList()
	for _, s := range sheets {
		sh, err := workbook.Rows(f, s)
		if err != nil {
			return nil, fmt.Errorf("%s#%s: %v", path, s, err)
		}
		rows := sh.Rows
		if len(rows) == 0 || layout(rows[0]) == "" {
			continue
		}
		t := &table{path: path, ref: path + "#" + s, header: rows[0], rows: rows[1:]}
		for c, why := range sh.Failed {
			if t.uncalc == nil {
				t.uncalc = map[[2]int]string{}
			}
			t.uncalc[[2]int{c.Row - 1, c.Col - 1}] = why // data row number, column index
		}
		for c, why := range sh.Oversized {
			if t.oversized == nil {
				t.oversized = map[int]oversizedCell{}
			}
			if prev, ok := t.oversized[c.Row-1]; !ok || c.Col-1 < prev.col {
				t.oversized[c.Row-1] = oversizedCell{c.Col - 1, why} // the row's first
			}
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no sheet starts with an MCS table header (DataSource, Commodity, Year or Source, Country, Type); sheets: %s",
			path, strings.Join(sheets, ", "))
	}
	return out, nil
}
