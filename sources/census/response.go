package census

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// table is the header of a response: the variables asked for, then the
// predicates, which the API appends as columns of their own (so a
// variable may appear twice; its first column is used).
type table struct {
	cols  map[string]int
	width int
}

// get returns a row's cell by variable name; "" when absent.
func (t table) get(row []string, name string) string {
	i, ok := t.cols[name]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// readTable streams a response body: a JSON array of arrays whose first
// row is the header, every cell a string. It checks the header holds the
// required variables and calls fn with each data row, numbered from 1.
// A body that is not such an array is an error, never zero rows.
func readTable(r io.Reader, required []string, fn func(n int64, t table, row []string) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	start, _ := br.Peek(300)
	start = append([]byte(nil), start...)
	dec := json.NewDecoder(br)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return notTable(start, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("not a Census API response: the body is not a JSON array")
	}
	if !dec.More() {
		return errors.New("not a Census API response: an empty array without a header row")
	}
	header, err := readRow(dec)
	if err != nil {
		return fmt.Errorf("not a Census API response: header row: %v", err)
	}
	t := headerOf(header)
	var missing []string
	for _, v := range required {
		if _, ok := t.cols[v]; !ok {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the header row %v lacks %s", header, strings.Join(missing, ", "))
	}
	var n int64
	for dec.More() {
		n++
		row, err := readRow(dec)
		if err != nil {
			return fmt.Errorf("data row %d: %v", n, err)
		}
		if err := fn(n, t, row); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("after data row %d: %v (the body is incomplete)", n, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the closing bracket")
	}
	return nil
}

// readRow decodes one row. Cells are strings; null is kept as "" and a
// number as written, so a change of the API's typing does not lose data.
func readRow(dec *json.Decoder) ([]string, error) {
	var cells []any
	if err := dec.Decode(&cells); err != nil {
		return nil, err
	}
	if cells == nil {
		return nil, errors.New("not an array of cells")
	}
	row := make([]string, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case nil:
		case string:
			row[i] = v
		case json.Number:
			row[i] = v.String()
		default:
			return nil, fmt.Errorf("cell %d is not a string: %v", i+1, v)
		}
	}
	return row, nil
}

// headerOf indexes a header row.
func headerOf(header []string) table {
	t := table{cols: map[string]int{}, width: len(header)}
	for i, h := range header {
		if _, dup := t.cols[h]; !dup {
			t.cols[h] = i
		}
	}
	return t
}

// notTable explains a body that is not JSON: the API answers some
// mistakes with text or an HTML page (an invalid key), so its start is
// shown.
func notTable(start []byte, err error) error {
	s := strings.Join(strings.Fields(string(start)), " ")
	switch {
	case s == "":
		return errors.New("not a Census API response: empty body")
	case strings.Contains(strings.ToLower(s), "invalid key"):
		return fmt.Errorf("%w: %q", errInvalidKey, s)
	}
	return fmt.Errorf("not a Census API response (%v): %q", err, s)
}

// errInvalidKey is the API's answer to a key it does not know: a redirect
// to an HTML page that says so, served with status 200.
var errInvalidKey = errors.New("the Census API refused the key")
