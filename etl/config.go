package etl

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config is a validated, defaulted source config: the values of the fields
// its spec declares. Its readers take a field by name and its type, so a
// misspelt name or a read of the wrong type is an error, never a silent
// zero.
type Config struct {
	spec   Spec
	values map[string]any
}

// ConfigOf is the config of spec holding values as they are: unlike
// Spec.Validate it fills no default and coerces nothing, for callers (and
// tests) that hold values already of their fields' types.
func ConfigOf(spec Spec, values map[string]any) Config {
	return Config{spec: spec, values: values}
}

// Has tells a field that is set (or defaulted) from one left out.
func (c Config) Has(name string) bool {
	_, ok := c.values[name]
	return ok
}

// Value returns a field's value whatever its type (nil when absent), for
// code that treats every field alike, such as printing or comparing.
func (c Config) Value(name string) (any, error) {
	if c.spec.index(name) < 0 {
		return nil, undeclared(c.spec, name)
	}
	return c.values[name], nil
}

// String returns a string field ("" when absent).
func (c Config) String(name string) (string, error) { return read[string](c, name, TypeString) }

// Strings returns a list-of-strings field.
func (c Config) Strings(name string) ([]string, error) { return read[[]string](c, name, TypeStrings) }

// Int returns an int field.
func (c Config) Int(name string) (int, error) { return read[int](c, name, TypeInt) }

// Float returns a float field.
func (c Config) Float(name string) (float64, error) { return read[float64](c, name, TypeFloat) }

// Bool returns a bool field.
func (c Config) Bool(name string) (bool, error) { return read[bool](c, name, TypeBool) }

// Duration returns a duration field.
func (c Config) Duration(name string) (time.Duration, error) {
	return read[time.Duration](c, name, TypeDuration)
}

// Map returns a free-form mapping field (nil when absent).
func (c Config) Map(name string) (map[string]any, error) {
	return read[map[string]any](c, name, TypeMap)
}

// List returns a free-form list field (nil when absent).
func (c Config) List(name string) ([]any, error) { return read[[]any](c, name, TypeList) }

// read returns field name as a T, the zero T when it is absent. A name the
// spec does not declare, a field declared of another type, or a value that
// is not a T is a Problem naming the field.
func read[T any](c Config, name string, t FieldType) (T, error) {
	var zero T
	i := c.spec.index(name)
	switch {
	case i < 0:
		return zero, undeclared(c.spec, name)
	case c.spec[i].Type != t:
		return zero, Problem{name, fmt.Sprintf("read as %s, but the spec declares %s", t, c.spec[i].Type)}
	}
	v, ok := c.values[name]
	if !ok {
		return zero, nil
	}
	x, ok := v.(T)
	if !ok {
		return zero, Problem{name, fmt.Sprintf("holds %T, not %s", v, t)}
	}
	return x, nil
}

func undeclared(s Spec, name string) error {
	return Problem{name, "read of a setting the spec does not declare (known: " + strings.Join(s.names(), ", ") + ")"}
}

func (s Spec) index(name string) int {
	for i, f := range s {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Reads reads several fields of a config and keeps their errors, so a
// constructor reads its settings in one place and checks once:
//
//	r := cfg.Reads()
//	o := options{paths: r.Strings("paths"), batchRows: r.Int("batch_rows")}
//	if err := r.Err(); err != nil { … }
type Reads struct {
	c    Config
	errs []error
}

// Reads starts reading c.
func (c Config) Reads() *Reads { return &Reads{c: c} }

// Err is every error of the reads so far, joined; nil when all succeeded.
func (r *Reads) Err() error { return errors.Join(r.errs...) }

func keep[T any](r *Reads, read func(string) (T, error), name string) T {
	v, err := read(name)
	if err != nil {
		r.errs = append(r.errs, err)
	}
	return v
}

// String, Strings, Int, … read as Config's readers do, keeping the error.
func (r *Reads) String(name string) string          { return keep(r, r.c.String, name) }
func (r *Reads) Strings(name string) []string       { return keep(r, r.c.Strings, name) }
func (r *Reads) Int(name string) int                { return keep(r, r.c.Int, name) }
func (r *Reads) Float(name string) float64          { return keep(r, r.c.Float, name) }
func (r *Reads) Bool(name string) bool              { return keep(r, r.c.Bool, name) }
func (r *Reads) Duration(name string) time.Duration { return keep(r, r.c.Duration, name) }
func (r *Reads) Map(name string) map[string]any     { return keep(r, r.c.Map, name) }
func (r *Reads) List(name string) []any             { return keep(r, r.c.List, name) }
