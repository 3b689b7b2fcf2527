package check

import "time"

// A kind's config keys are described here, with the kind, so that the
// configuration builds its rows from Kinds() and never names a kind: the
// kind's file says what each key is called, how its value is read and
// checked, what it defaults to, its README line, and where it lands on the
// kind's Probe. The configuration imports this package, not the other way
// round, so the readers that every key shares (a string, a duration, an
// executable path) come from it through Reader.

// Key is one config key of a kind of check.
type Key struct {
	Name string
	// Doc is the key's line in the README's table of check keys.
	Doc string
	// Defaults: [defaults] may set it (for checks of its kind only).
	Defaults bool
	// RootSafe: as root, the file it names must be safe from other users.
	RootSafe bool
	// Shown is the README's default when the value alone would not say it
	// ("any below 400"); "" shows the default value.
	Shown string
	// Needs, when set, is what the key needs beside it, in the check's own
	// table or [defaults]: a process check watches its pid or pidfile.
	Needs *Needs
	Value
}

// Needs is a rule between keys: Msg (which follows `key "NAME": ` in a
// message) is reported at a key that has none of Keys beside it.
type Needs struct {
	Keys []string
	Msg  string
}

// Value is how a key's TOML value is read and where it lands on the
// kind's Probe. It is built by Make, Field or Table, which tie the parser's
// type to the setter's, so a parser whose type changes fails to compile
// rather than leave a default silently in place.
type Value struct {
	parse  func(r Reader, v any) (any, error)
	set    func(p Probe, v any) Probe
	deflt  any
	merged bool
}

// Reader reads a decoded TOML value (string, int64, float64, bool, []any,
// map[string]any) as the configuration's own keys do, so a kind's key says
// what is wrong in the same words. The configuration implements it; each
// error's text follows `key "NAME": ` in a message.
type Reader interface {
	// TypeName names a decoded value's TOML type as its writer knows it:
	// "an integer", "an array".
	TypeName(v any) string
	// Shown is v as its writer wrote it, for "not ..." in a message: 80,
	// "80%", true.
	Shown(v any) string
	// Decimal reports s a number as a duration's seconds are written
	// ("30", "0.5", "-1"), not all that ParseFloat takes ("1e3", "inf").
	Decimal(s string) bool
	// Bool is true or false.
	Bool(v any) (bool, error)
	// Int is an integer, any integer.
	Int(v any) (int64, error)
	// String is a string, any string.
	String(v any) (string, error)
	// Text is a string that says something: not empty, not only blanks.
	Text(v any) (string, error)
	// Positive is a duration more than zero: "10m", or a number of seconds.
	Positive(v any) (time.Duration, error)
	// Executable is the path of an executable file that exists now, a
	// relative one starting in the folder of the file it is written in.
	Executable(v any) (string, error)
	// HostPort is HOST:PORT with a host and a numeric port.
	HostPort(v any) (string, error)
	// Table is a table of strings, each entry checked by entry (which says
	// what is wrong with it, or ""); every bad entry is reported at its
	// own line.
	Table(v any, entry func(name, value string) string) (map[string]string, error)
}

// Make is the value of the key that chooses a kind: parse reads it, and
// newProbe makes the kind's Probe of it, its other keys not yet set.
func Make[T any](parse func(Reader, any) (T, error), newProbe func(T) Probe) Value {
	return Value{
		parse: func(r Reader, v any) (any, error) { return parse(r, v) },
		set:   func(_ Probe, v any) Probe { return newProbe(v.(T)) },
	}
}

// Field is the value of a key of kind P's own: parse reads it, set stores
// it on the Probe, and deflt is what set is given when the key is not
// written.
func Field[P Probe, T any](parse func(Reader, any) (T, error), deflt T, set func(*P, T)) Value {
	return Value{
		parse: func(r Reader, v any) (any, error) { return parse(r, v) },
		set: func(p Probe, v any) Probe {
			q, ok := p.(P)
			if !ok {
				return p // the chooser's value was bad: there is no P to set
			}
			set(&q, v.(T))
			return q
		},
		deflt: deflt,
	}
}

// Table is the value of a key of kind P's own that is a table of strings,
// each entry checked by entry (nil: anything goes). A check's own table is
// merged entry by entry over [defaults]' table, the check's entries winning.
func Table[P Probe](entry func(name, value string) string, set func(*P, map[string]string)) Value {
	v := Field(func(r Reader, v any) (map[string]string, error) { return r.Table(v, entry) }, nil, set)
	v.merged = true
	return v
}

// Parse reads x, a value written where r reads.
func (v Value) Parse(r Reader, x any) (any, error) { return v.parse(r, x) }

// Set is p with x, what Parse returned, set on it; for the key that
// chooses the kind, the new Probe.
func (v Value) Set(p Probe, x any) Probe { return v.set(p, x) }

// Default is the value of a key that is not written; nil for the key that
// chooses the kind, which is always written.
func (v Value) Default() any { return v.deflt }

// Merged reports a table merged entry by entry over [defaults]'.
func (v Value) Merged() bool { return v.merged }
