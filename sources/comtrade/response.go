package comtrade

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// v1Info is what a Comtrade v1 response body says besides its rows.
type v1Info struct {
	Count    int  // the count member
	HasCount bool // count was present and a number
	Rows     int  // elements of data
}

// readV1 streams a v1 response body {"elapsedTime","count","data":[...],"error"},
// calling fn (when not nil) with each element of data, 0-based. It fails on
// a body of another shape, a non-empty error and a count that disagrees
// with the rows, so an error body never passes for an empty result.
func readV1(r io.Reader, fn func(i int, rec map[string]any, raw json.RawMessage) error) (v1Info, error) {
	var info v1Info
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3) // a byte-order mark, as editors on Windows save JSON
	}
	dec := json.NewDecoder(br)
	tok, err := dec.Token()
	if err != nil {
		return info, fmt.Errorf("not a Comtrade v1 response: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return info, fmt.Errorf("not a Comtrade v1 response: the body is not a JSON object")
	}
	var keys []string
	sawData := false
	apiErr, message := "", ""
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return info, fmt.Errorf("not a Comtrade v1 response: %v", err)
		}
		key, _ := tok.(string)
		keys = append(keys, key)
		switch key {
		case "data":
			sawData = true
			if err := readData(dec, &info, fn); err != nil {
				return info, err
			}
		case "count":
			var n json.Number
			if err := decodeValue(dec, &n); err != nil {
				return info, fmt.Errorf("not a Comtrade v1 response: count: %v", err)
			}
			if n != "" {
				c, err := strconv.Atoi(n.String())
				if err != nil {
					return info, fmt.Errorf("not a Comtrade v1 response: count %s is not an integer", n)
				}
				info.Count, info.HasCount = c, true
			}
		case "error", "message":
			var v any
			if err := dec.Decode(&v); err != nil {
				return info, fmt.Errorf("not a Comtrade v1 response: %s: %v", key, err)
			}
			s := ""
			if v != nil {
				s = strings.TrimSpace(fmt.Sprint(v))
			}
			if key == "error" {
				apiErr = s
			} else {
				message = s
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return info, fmt.Errorf("not a Comtrade v1 response: %s: %v", key, err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return info, fmt.Errorf("not a Comtrade v1 response: %v", err)
	}
	switch {
	case apiErr != "":
		return info, fmt.Errorf("Comtrade reported an error: %s", apiErr)
	case !sawData:
		sort.Strings(keys)
		msg := fmt.Sprintf("not a Comtrade v1 response: no \"data\" member (members: %s)", strings.Join(keys, ", "))
		if message != "" {
			msg += ": " + message
		}
		return info, errors.New(msg)
	case info.HasCount && info.Count != info.Rows:
		return info, fmt.Errorf("count is %d but data holds %d rows: the body is incomplete", info.Count, info.Rows)
	}
	return info, nil
}

// decodeValue decodes a value that may be null into v.
func decodeValue(dec *json.Decoder, v *json.Number) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// readData reads the data array (or null) one element at a time.
func readData(dec *json.Decoder, info *v1Info, fn func(int, map[string]any, json.RawMessage) error) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not a Comtrade v1 response: data: %v", err)
	}
	if tok == nil {
		return nil // "data": null, as in error bodies
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("not a Comtrade v1 response: data is not an array")
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("data[%d]: %v", info.Rows, err)
		}
		if fn != nil {
			rd := json.NewDecoder(bytes.NewReader(raw))
			rd.UseNumber() // keep 12636598.0 and codes exactly as sent
			var rec map[string]any
			if err := rd.Decode(&rec); err != nil || rec == nil {
				return fmt.Errorf("not a Comtrade v1 response: data[%d] is not a record object", info.Rows)
			}
			if err := fn(info.Rows, rec, raw); err != nil {
				return err
			}
		}
		info.Rows++
	}
	_, err = dec.Token() // ]
	return err
}

// jsonGetter reads a decoded record; null and absent fields are "".
func jsonGetter(rec map[string]any) getter {
	return func(col string) string {
		switch v := rec[col].(type) {
		case nil:
			return ""
		case string:
			return v
		case json.Number:
			return v.String()
		case bool:
			return strconv.FormatBool(v)
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
}

// repeatedKey returns a key that a record object holds more than once;
// nested objects are not looked into, as no field is read from them.
func repeatedKey(raw json.RawMessage) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		k, _ := tok.(string)
		if seen[k] {
			return k, true
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}
