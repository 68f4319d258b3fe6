package sqlout

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// FormatFloat prints a float exactly: the shortest text that reads back as
// the same value, without an exponent for ordinary magnitudes (1e-6 up to
// 1e21, as JavaScript does), with one beyond them.
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.FormatFloat(f, 'f', -1, bits)
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// Text renders a value scanned from DuckDB as text, exactly; dbType is the
// column's DuckDB type name (it tells a DATE from a TIMESTAMP at midnight).
// NULL is the empty string.
func Text(v any, dbType string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return FormatFloat(x, 64)
	case float32:
		return FormatFloat(float64(x), 32)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int:
		return strconv.Itoa(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return x.String()
	case time.Time:
		return timeText(x, dbType)
	case []byte:
		return blobText(x)
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	case duckdb.Interval:
		return intervalText(x)
	case []any, map[string]any, duckdb.Map, duckdb.Union:
		// Lists, structs, maps and unions read as JSON.
		return string(AppendJSON(nil, v, ""))
	}
	return fmt.Sprint(v)
}

func timeText(t time.Time, dbType string) string {
	switch strings.ToUpper(dbType) {
	case "DATE":
		return t.Format("2006-01-02")
	case "TIME":
		return t.Format("15:04:05.999999999")
	case "TIMETZ":
		return t.Format("15:04:05.999999999Z07:00")
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return t.Format("2006-01-02 15:04:05.999999999")
	}
	return t.Format(time.RFC3339Nano)
}

// blobText escapes a BLOB as DuckDB prints it: printable ASCII as is,
// every other byte (and the backslash) as \xNN.
func blobText(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, `\x%02X`, c)
		}
	}
	return s.String()
}

func intervalText(iv duckdb.Interval) string {
	var parts []string
	if y, m := iv.Months/12, iv.Months%12; y != 0 || m != 0 {
		if y != 0 {
			parts = append(parts, fmt.Sprintf("%d years", y))
		}
		if m != 0 {
			parts = append(parts, fmt.Sprintf("%d months", m))
		}
	}
	if iv.Days != 0 {
		parts = append(parts, fmt.Sprintf("%d days", iv.Days))
	}
	if iv.Micros != 0 || len(parts) == 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		h, rest := us/3_600_000_000, us%3_600_000_000
		m, rest := rest/60_000_000, rest%60_000_000
		s := fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, rest/1_000_000)
		if f := rest % 1_000_000; f != 0 {
			s += strings.TrimRight(fmt.Sprintf(".%06d", f), "0")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// AppendJSON appends v as JSON: numbers exactly as Text prints them (NaN
// and infinities, which JSON lacks, as strings), times and other scalars
// as strings, lists as arrays, structs and maps as objects.
func AppendJSON(b []byte, v any, dbType string) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool, int64, int32, int16, int8, int, uint64, uint32, uint16, uint8, *big.Int, duckdb.Decimal:
		return append(b, Text(x, dbType)...)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendString(b, Text(x, dbType))
		}
		return append(b, Text(x, dbType)...)
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return appendString(b, Text(x, dbType))
		}
		return append(b, Text(x, dbType)...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e, "")
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = AppendJSON(b, x[k], "")
		}
		return append(b, '}')
	case duckdb.Map:
		type kv struct {
			k string
			v any
		}
		entries := make([]kv, 0, len(x))
		for k, e := range x {
			entries = append(entries, kv{Text(k, ""), e})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].k < entries[j].k })
		b = append(b, '{')
		for i, e := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e.k)
			b = append(b, ':')
			b = AppendJSON(b, e.v, "")
		}
		return append(b, '}')
	case duckdb.Union:
		return AppendJSON(b, x.Value, "")
	case string:
		return appendString(b, x)
	}
	return appendString(b, Text(v, dbType))
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
