package config

import "maps"

// key is one row of a key table: everything heatd knows of one config
// key. The loader, the rules between keys, the merge of [defaults], the
// root-safety rules, the suggestions for a misspelt key and the README's
// key tables all read it, so a new key is one new row (and the field its
// value lands in). D is what the table's values land in: *built for a
// check's keys, *daemonRead for [daemon]'s.
type key[D any] struct {
	name string
	// kind is the kind of check the key belongs to: the key that chooses it
	// ("http" for http and its http_* keys), or "" for every kind. A key
	// of a kind applies, from [defaults] too, only to checks of that kind.
	kind string
	// form is, for a key that chooses a kind, what its value looks like
	// in a message ("URL"); "" for any other key.
	form     string
	defaults bool // [defaults] may set it
	rootSafe bool // as root, the file it names must be safe from other users (rootsafe.go)
	// needs is what the key needs beside it, in the check's own table or
	// [defaults]; excludes is what it cannot be written with in a check's
	// own table. nil: nothing.
	needs, excludes *rule
	// effect is what the key needs beside it to have any effect; written
	// in a check's own table without it, the key is a key_unused warning
	// (from [defaults] it is silent: there it serves other checks). nil:
	// it always has one.
	effect *rule
	// shown is the README's default when the value alone would not say it
	// ("off", "<log_dir>/<name>.log"); "" shows the default value.
	shown string
	doc   string // the README's meaning column
	value[D]
}

// rule is a rule between keys: msg is reported at a key that has none of
// keys beside it (needs), or one of them (excludes).
type rule struct {
	keys []string
	msg  string
}

// value is how a key's TOML value is read and where it lands. It is built
// by field or table, which tie the parser's type to the setter's, so a
// parser whose type changes fails to compile rather than leave a default
// silently in place.
type value[D any] struct {
	// parse reads a TOML value written in the file src.
	parse func(v any, src *source) (any, error)
	// set puts what parse returned into dst; setDefault puts the default
	// there, for a key that is not given.
	set        func(dst D, v any)
	setDefault func(dst D)
	deflt      any // the default, for the README
	// merge lays a check's own value over [defaults]'; nil: the check's
	// replaces it.
	merge func(defaults, own any) any
}

// field is a key of type T: parse reads it, set stores it, and deflt is
// what set is given for a key that is not written (the zero value: none).
func field[D, T any](parse func(any, *source) (T, error), deflt T, set func(D, T)) value[D] {
	return value[D]{
		parse:      func(v any, src *source) (any, error) { return parse(v, src) },
		set:        func(dst D, v any) { set(dst, v.(T)) },
		setDefault: func(dst D) { set(dst, deflt) },
		deflt:      deflt,
	}
}

// table is a key whose value is a table of strings, each entry checked by
// check (nil: anything goes). It merges entry by entry over [defaults]'
// table, the check's own entries winning.
func table[D any](check func(name, value string) string, set func(D, map[string]string)) value[D] {
	v := field(plain(func(v any) (map[string]string, error) { return parseTable(v, check) }), nil, set)
	v.merge = mergeTables
	return v
}

// mergeTables lays a check's own table of strings over [defaults]' one,
// entry by entry, the check's own entries winning.
func mergeTables(defaults, own any) any {
	d, o := defaults.(map[string]string), own.(map[string]string)
	m := make(map[string]string, len(d)+len(o))
	maps.Copy(m, d)
	maps.Copy(m, o)
	return m
}

// plain adapts a parser that needs nothing but the value.
func plain[T any](f func(any) (T, error)) func(any, *source) (T, error) {
	return func(v any, _ *source) (T, error) { return f(v) }
}

// inDir adapts a parser of paths, which start in the folder of the file
// they are written in.
func inDir[T any](f func(any, string) (T, error)) func(any, *source) (T, error) {
	return func(v any, src *source) (T, error) { return f(v, src.dir) }
}
