package baci

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// maxCode bounds BACI's country codes (three-digit M49-like numbers), so
// the per-row lookup is an array index, not a map probe.
const maxCode = 1000

// countryMap maps BACI country codes to ISO3 codes of the countries table.
type countryMap struct {
	file string          // the country_codes file, '' for the M49 codes of the countries table
	idx  [maxCode]uint16 // code -> 1 + index in iso; 0 is unknown
	iso  [][]byte        // distinct ISO3 codes, the strings the batches copy
	why  map[int]string  // why a code listed in file is unusable
}

// loadCountryMap reads BACI's country_codes file (country_code,
// country_name, country_iso2, country_iso3). Codes it does not list, or
// lists with an ISO3 the countries table does not know, fall back to the
// table's M49 codes, which BACI shares for almost every country.
func loadCountryMap(path string) (*countryMap, error) {
	m := &countryMap{file: path, why: map[int]string{}}
	pos := map[string]uint16{}
	set := func(code int, iso3 string) {
		i, ok := pos[iso3]
		if !ok {
			m.iso = append(m.iso, []byte(iso3))
			i = uint16(len(m.iso))
			pos[iso3] = i
		}
		m.idx[code] = i
	}
	for code := 1; code < maxCode; code++ {
		// BACI has no world rows: WLD (code 0) is never a country here.
		if c, ok := etl.CountryByM49(code); ok && c.ISO3 != etl.WorldISO3 {
			set(code, c.ISO3)
		}
	}
	if path == "" {
		return m, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := etl.NewCSVReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	ci, ok1 := col["country_code"]
	ii, ok2 := col["country_iso3"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%s: want columns country_code and country_iso3, got %s", path, strings.Join(header, ","))
	}
	for row := 1; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", path, row, err)
		}
		if len(rec) <= ci || len(rec) <= ii {
			return nil, fmt.Errorf("%s: row %d: %d fields, want at least %d", path, row, len(rec), max(ci, ii)+1)
		}
		code, err := strconv.Atoi(strings.TrimSpace(rec[ci]))
		if err != nil || code < 0 || code >= maxCode {
			return nil, fmt.Errorf("%s: row %d column country_code: %q is not a code from 0 to %d", path, row, rec[ci], maxCode-1)
		}
		iso3 := strings.ToUpper(strings.TrimSpace(rec[ii]))
		if c, ok := etl.CountryByISO3(iso3); ok && c.ISO3 != etl.WorldISO3 {
			set(code, c.ISO3)
			continue
		}
		if m.idx[code] == 0 {
			m.why[code] = fmt.Sprintf("%s lists it as %q, which the countries table does not know", path, iso3)
		}
	}
	return m, nil
}

// lookup returns the index+1 of a code's ISO3, or 0 when unknown.
func (m *countryMap) lookup(code int) uint16 {
	if code < 0 || code >= maxCode {
		return 0
	}
	return m.idx[code]
}

// unknown says why a code does not resolve.
func (m *countryMap) unknown(role string, code int) string {
	if why, ok := m.why[code]; ok {
		return fmt.Sprintf("unknown %s country code %d: %s", role, code, why)
	}
	if m.file != "" {
		return fmt.Sprintf("unknown %s country code %d (not in %s nor the countries table)", role, code, m.file)
	}
	return fmt.Sprintf("unknown %s country code %d (no country_codes file; not an M49 code of the countries table)", role, code)
}

// filter returns, per ISO3 index+1, whether the importer is kept; nil keeps all.
func (m *countryMap) filter(keep map[string]bool) []bool {
	if keep == nil {
		return nil
	}
	out := make([]bool, len(m.iso)+1)
	for i, iso := range m.iso {
		out[i+1] = keep[string(iso)]
	}
	return out
}
