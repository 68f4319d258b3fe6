package etl

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// FieldType is the type of a config field.
type FieldType string

const (
	TypeString   FieldType = "string"
	TypeInt      FieldType = "int"
	TypeFloat    FieldType = "float"
	TypeBool     FieldType = "bool"
	TypeStrings  FieldType = "[]string"
	TypeDuration FieldType = "duration"
	TypeMap      FieldType = "map"  // free-form mapping, checked by the kind
	TypeList     FieldType = "list" // free-form list, checked by the kind
)

// Field is one config field of a source kind.
type Field struct {
	Name     string
	Type     FieldType
	Required bool
	Default  any
	Enum     []string // allowed values of a string field
	Doc      string
	Secret   bool // names an environment variable holding a secret
}

// Spec is the config spec of a source kind: the same spec validates config
// files, fills defaults and generates `--help` and docs.
type Spec []Field

// Problem is one thing wrong with a config, with the field at fault.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// AtKey tells a problem with a key (unknown, missing) from one with a value.
func (p Problem) AtKey() bool {
	return p.Message == msgRequired || strings.HasPrefix(p.Message, msgUnknown)
}

const (
	msgRequired = "is required"
	msgUnknown  = "unknown field"
)

// Validate checks raw against the spec and returns the config with defaults
// filled, plus every problem found (not just the first).
func (s Spec) Validate(raw map[string]any) (Config, []Problem) {
	out := Config{spec: s, values: map[string]any{}}
	var probs []Problem
	known := map[string]bool{}
	for _, f := range s {
		known[f.Name] = true
		v, ok := raw[f.Name]
		if !ok || v == nil {
			if f.Required {
				probs = append(probs, Problem{f.Name, msgRequired})
				continue
			}
			if f.Default != nil {
				out.values[f.Name] = f.Default
			}
			continue
		}
		cv, err := coerce(f, v)
		if err != nil {
			probs = append(probs, Problem{f.Name, err.Error()})
			continue
		}
		out.values[f.Name] = cv
	}
	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		probs = append(probs, Problem{k, msgUnknown + " (known: " + strings.Join(s.names(), ", ") + ")"})
	}
	return out, probs
}

// Configure checks a raw config as building the source does: against the
// kind's spec, then, when the spec found nothing, with the kind's Check.
// tradewh validate calls it too, so it reports every problem a run would.
func (k Kind) Configure(raw map[string]any) (Config, []Problem) {
	cfg, probs := k.Spec.Validate(raw)
	if len(probs) == 0 && k.Check != nil {
		probs = k.Check(cfg)
	}
	return cfg, probs
}

// CheckBy makes a kind's Check from the function that parses its config
// when the source is built, so both report the same problems.
func CheckBy(parse func(Config) error) func(Config) []Problem {
	return func(c Config) []Problem { return ProblemsOf(parse(c)) }
}

// ProblemsOf lists the problems an error holds: Problems themselves,
// joined or wrapped, and "field: message" errors of other kinds.
func ProblemsOf(err error) []Problem {
	switch e := err.(type) {
	case nil:
		return nil
	case Problem:
		return []Problem{e}
	case *Problem:
		return []Problem{*e}
	case interface{ Unwrap() []error }:
		var out []Problem
		for _, x := range e.Unwrap() {
			out = append(out, ProblemsOf(x)...)
		}
		return out
	case interface{ Unwrap() error }:
		// "comtrade config: " around the problems adds nothing to them.
		if inner := ProblemsOf(e.Unwrap()); len(inner) > 0 && inner[0].Field != "" {
			return inner
		}
	}
	msg := err.Error()
	if field, rest, ok := strings.Cut(msg, ": "); ok && fieldPath.MatchString(field) {
		return []Problem{{field, rest}}
	}
	return []Problem{{"", msg}}
}

var fieldPath = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+|\[[0-9]+\])*$`)

// Names lists the spec's field names in order.
func (s Spec) Names() []string { return s.names() }

func (s Spec) names() []string {
	n := make([]string, len(s))
	for i, f := range s {
		n[i] = f.Name
	}
	return n
}

func coerce(f Field, v any) (any, error) {
	switch f.Type {
	case TypeString:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case int, int64, uint64:
			// YAML reads `from: 2021` as a number; periods and codes are text.
			s = fmt.Sprint(x)
		default:
			return nil, fmt.Errorf("must be a string, got %T", v)
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			return nil, fmt.Errorf("must be one of %s, got %q", strings.Join(f.Enum, ", "), s)
		}
		return s, nil
	case TypeInt:
		switch n := v.(type) {
		case int:
			return n, nil
		case int64:
			return int(n), nil
		case uint64:
			return int(n), nil
		case float64:
			if n == float64(int(n)) {
				return int(n), nil
			}
		}
		return nil, fmt.Errorf("must be an integer, got %v", v)
	case TypeFloat:
		switch n := v.(type) {
		case int:
			return float64(n), nil
		case int64:
			return float64(n), nil
		case uint64:
			return float64(n), nil
		case float64:
			return n, nil
		}
		return nil, fmt.Errorf("must be a number, got %v", v)
	case TypeBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("must be true or false, got %v", v)
		}
		return b, nil
	case TypeDuration:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be a duration such as 30s or 2m, got %v", v)
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("must be a duration such as 30s or 2m: %v", err)
		}
		return d, nil
	case TypeStrings:
		switch l := v.(type) {
		case string:
			return []string{l}, nil
		case []string:
			return l, nil
		case []any:
			out := make([]string, 0, len(l))
			for i, e := range l {
				s, ok := e.(string)
				if !ok {
					// numbers such as HS codes or years are accepted as text
					s = fmt.Sprint(e)
				}
				_ = i
				if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
					return nil, fmt.Errorf("item %d must be one of %s, got %q", i+1, strings.Join(f.Enum, ", "), s)
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, fmt.Errorf("must be a list of strings, got %T", v)
	case TypeMap:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("must be a mapping, got %T", v)
		}
		return m, nil
	case TypeList:
		l, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("must be a list, got %T", v)
		}
		return l, nil
	}
	return v, nil
}

// Doc renders the spec as indented text for --help and docs.
func (s Spec) Doc() string {
	var b strings.Builder
	for _, f := range s {
		req := ""
		if f.Required {
			req = ", required"
		} else if f.Default != nil {
			req = fmt.Sprintf(", default %v", f.Default)
		}
		fmt.Fprintf(&b, "  %-18s %s%s\n", f.Name, f.Type, req)
		if f.Doc != "" {
			fmt.Fprintf(&b, "      %s\n", f.Doc)
		}
		if len(f.Enum) > 0 {
			fmt.Fprintf(&b, "      one of: %s\n", strings.Join(f.Enum, ", "))
		}
	}
	return b.String()
}
