package jobs

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// Typed reads of decoded YAML values. Each returns ok=false when the key is
// absent or holds the wrong type; the latter is reported as a problem.

func (c *checker) mapping(v any, path string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		c.val(path, "must be a mapping (key: value), got %s", describe(v))
	}
	return m, ok
}

func (c *checker) unknownKeys(s section) {
	m, path, known := s.m, s.path, s.spec.Names()
	var unknown []string
	for k := range m {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		c.key(join(path, k), "unknown key %q (known: %s)", k, strings.Join(known, ", "))
	}
}

func (c *checker) str(sec section, key string) (string, bool) {
	path := sec.path
	v := sec.get(key, etl.TypeString)
	if v == nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.val(join(path, key), "must be a string, got %s", describe(v))
	}
	return s, ok
}

func (c *checker) integer(sec section, key string) (int, bool) {
	path := sec.path
	v := sec.get(key, etl.TypeInt)
	if v == nil {
		return 0, false
	}
	n, ok := toInt(v)
	if !ok {
		c.val(join(path, key), "must be an integer, got %s", describe(v))
	}
	return n, ok
}

func (c *checker) float(sec section, key string) (float64, bool) {
	path := sec.path
	v := sec.get(key, etl.TypeFloat)
	if v == nil {
		return 0, false
	}
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	c.val(join(path, key), "must be a number, got %s", describe(v))
	return 0, false
}

func (c *checker) boolean(sec section, key string) (bool, bool) {
	path := sec.path
	v := sec.get(key, etl.TypeBool)
	if v == nil {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		c.val(join(path, key), "must be true or false, got %s", describe(v))
	}
	return b, ok
}

func (c *checker) duration(sec section, key string) (time.Duration, bool) {
	path := sec.path
	v := sec.get(key, etl.TypeDuration)
	if v == nil {
		return 0, false
	}
	s, isStr := v.(string)
	if !isStr {
		c.val(join(path, key), "must be a duration such as 30s, 5m or 1h, got %s", describe(v))
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		c.val(join(path, key), "must be a duration such as 30s, 5m or 1h, got %q", s)
		return 0, false
	}
	if d < 0 {
		c.val(join(path, key), "must not be negative, got %s", s)
		return 0, false
	}
	return d, true
}

func (c *checker) strings(sec section, key string) ([]string, bool) {
	path := sec.path
	v := sec.get(key, etl.TypeStrings)
	if v == nil {
		return nil, false
	}
	l, ok := v.([]any)
	if !ok {
		c.val(join(path, key), "must be a list of strings, got %s", describe(v))
		return nil, false
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			c.val(fmt.Sprintf("%s.%s[%d]", path, key, i), "must be a string, got %s", describe(e))
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		if n <= math.MaxInt {
			return int(n), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n), true
		}
	}
	return 0, false
}

// describe names a decoded value's YAML type for messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("text %q", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case int, int64, uint64, float64:
		return fmt.Sprintf("number %v", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}
