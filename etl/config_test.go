package etl

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every reader returns a set value and a default the spec filled, and
// refuses, naming the field, a name the spec does not declare, a field of
// another type and a value that is not of its field's type.
func TestConfigReaders(t *testing.T) {
	spec := Spec{
		{Name: "s", Type: TypeString}, {Name: "s_def", Type: TypeString, Default: "A"},
		{Name: "l", Type: TypeStrings}, {Name: "l_def", Type: TypeStrings, Default: []string{"USA"}},
		{Name: "i", Type: TypeInt}, {Name: "i_def", Type: TypeInt, Default: 3},
		{Name: "f", Type: TypeFloat}, {Name: "f_def", Type: TypeFloat, Default: 1.5},
		{Name: "b", Type: TypeBool}, {Name: "b_def", Type: TypeBool, Default: true},
		{Name: "d", Type: TypeDuration}, {Name: "d_def", Type: TypeDuration, Default: time.Minute},
		{Name: "m", Type: TypeMap}, {Name: "m_def", Type: TypeMap, Default: map[string]any{"k": "v"}},
		{Name: "li", Type: TypeList}, {Name: "li_def", Type: TypeList, Default: []any{"x"}},
	}
	cfg, probs := spec.Validate(map[string]any{
		"s": "text", "l": []any{"a", "b"}, "i": 7, "f": 2.5, "b": true, "d": "30s",
		"m": map[string]any{"a": 1}, "li": []any{1, "two"},
	})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	// A value a caller put there of another type than its field's.
	bad := ConfigOf(spec, map[string]any{"s": 1, "l": "a", "i": "7", "f": 2, "b": "yes", "d": 30, "m": []any{}, "li": map[string]any{}})

	readers := []struct {
		typ                FieldType
		read               func(Config, string) (any, error)
		set, def, otherTyp string
		want, wantDef      any
	}{
		{TypeString, func(c Config, n string) (any, error) { return c.String(n) }, "s", "s_def", "i", "text", "A"},
		{TypeStrings, func(c Config, n string) (any, error) { return c.Strings(n) }, "l", "l_def", "s", []string{"a", "b"}, []string{"USA"}},
		{TypeInt, func(c Config, n string) (any, error) { return c.Int(n) }, "i", "i_def", "f", 7, 3},
		{TypeFloat, func(c Config, n string) (any, error) { return c.Float(n) }, "f", "f_def", "i", 2.5, 1.5},
		{TypeBool, func(c Config, n string) (any, error) { return c.Bool(n) }, "b", "b_def", "s", true, true},
		{TypeDuration, func(c Config, n string) (any, error) { return c.Duration(n) }, "d", "d_def", "s", 30 * time.Second, time.Minute},
		{TypeMap, func(c Config, n string) (any, error) { return c.Map(n) }, "m", "m_def", "li", map[string]any{"a": 1}, map[string]any{"k": "v"}},
		{TypeList, func(c Config, n string) (any, error) { return c.List(n) }, "li", "li_def", "m", []any{1, "two"}, []any{"x"}},
	}
	for _, r := range readers {
		t.Run(string(r.typ), func(t *testing.T) {
			if got, err := r.read(cfg, r.set); err != nil || !reflect.DeepEqual(got, r.want) {
				t.Errorf("right type: %#v, %v; want %#v", got, err, r.want)
			}
			if got, err := r.read(cfg, r.def); err != nil || !reflect.DeepEqual(got, r.wantDef) {
				t.Errorf("default: %#v, %v; want %#v", got, err, r.wantDef)
			}
			for _, tc := range []struct {
				what, name string
				cfg        Config
				msg        string
			}{
				{"undeclared name", r.set + "_misspelt", cfg, "does not declare"},
				{"field of another type", r.otherTyp, cfg, "but the spec declares"},
				{"value of another type", r.set, bad, "not " + string(r.typ)},
			} {
				got, err := r.read(tc.cfg, tc.name)
				if err == nil || !strings.HasPrefix(err.Error(), tc.name+": ") || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("%s: error %v, want one naming %s and saying %q", tc.what, err, tc.name, tc.msg)
				}
				if !reflect.ValueOf(got).IsZero() {
					t.Errorf("%s: value %#v, want the zero value", tc.what, got)
				}
			}
		})
	}
}

// A field left out without a default reads as its zero value, no error;
// Has tells it from one that is set.
func TestConfigAbsentField(t *testing.T) {
	spec := Spec{{Name: "to", Type: TypeString}, {Name: "from", Type: TypeString}}
	cfg, _ := spec.Validate(map[string]any{"from": "2020"})
	if s, err := cfg.String("to"); s != "" || err != nil {
		t.Errorf("absent: %q, %v", s, err)
	}
	if cfg.Has("to") || !cfg.Has("from") {
		t.Errorf("Has: to %v, from %v", cfg.Has("to"), cfg.Has("from"))
	}
}

// Reads keeps every failed read's error, each naming its field.
func TestConfigReads(t *testing.T) {
	cfg, _ := Spec{{Name: "paths", Type: TypeStrings}, {Name: "batch_rows", Type: TypeInt}}.Validate(
		map[string]any{"paths": []any{"a.csv"}, "batch_rows": 10})
	r := cfg.Reads()
	paths, rows := r.Strings("paths"), r.Int("batch_rows")
	if err := r.Err(); err != nil || len(paths) != 1 || rows != 10 {
		t.Fatalf("reads: %v, %d, %v", paths, rows, err)
	}
	r.Int("batch_row")
	r.String("paths")
	probs := ProblemsOf(r.Err())
	if len(probs) != 2 || probs[0].Field != "batch_row" || probs[1].Field != "paths" {
		t.Errorf("problems %v, want batch_row's and paths'", probs)
	}
}
