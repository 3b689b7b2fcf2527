package config

import (
	"time"

	"github.com/heatd/heatd/check"
)

// kindKeys are the keys of the kinds of check, in the order messages and the
// README name them: each kind's key that chooses it (whose name is its kind,
// and which a check has exactly one of), then the keys of that kind alone.
// The kinds bring them (check.Kinds), so a new kind adds nothing here.
func kindKeys() []checkKey {
	var keys []checkKey
	for _, kind := range check.Kinds() {
		keys = append(keys, kindKey(kind.Name, kind.Form, kind.Key))
		for _, k := range kind.Keys {
			keys = append(keys, kindKey(kind.Name, "", k))
		}
	}
	return keys
}

// kindKey is the row of k, a key of the kind named kind; form is how the
// value of the key that chooses the kind looks in a message, "" for the
// kind's other keys.
func kindKey(kind, form string, k check.Key) checkKey {
	v := value[*built]{
		parse:      func(v any, src *source) (any, error) { return k.Parse(reader{src}, v) },
		set:        func(b *built, v any) { b.Probe = k.Set(b.Probe, v) },
		setDefault: func(b *built) { b.Probe = k.Set(b.Probe, k.Default()) },
		deflt:      k.Default(),
	}
	if k.Merged() {
		v.merge = mergeTables
	}
	var needs *rule
	if k.Needs != nil {
		needs = &rule{k.Needs.Keys, k.Needs.Msg}
	}
	return checkKey{name: k.Name, kind: kind, form: form, defaults: k.Defaults, rootSafe: k.RootSafe,
		needs: needs, shown: k.Shown, doc: k.Doc, value: v}
}

// reader is check.Reader for a value written in src: the parsers of the
// keys every check has, so a kind's keys say what is wrong in their words.
type reader struct{ src *source }

func (reader) TypeName(v any) string                 { return typeName(v) }
func (reader) Shown(v any) string                    { return shown(v) }
func (reader) Decimal(s string) bool                 { return isDecimal(s) }
func (reader) Bool(v any) (bool, error)              { return parseBool(v) }
func (reader) Int(v any) (int64, error)              { return parseInt(v) }
func (reader) String(v any) (string, error)          { return parseString(v) }
func (reader) Text(v any) (string, error)            { return parseText(v) }
func (reader) Positive(v any) (time.Duration, error) { return parsePositive(v) }
func (r reader) Executable(v any) (string, error)    { return parseExecutable(v, r.src.dir) }
func (reader) HostPort(v any) (string, error)        { return parseHostPort(v, true) }
func (reader) Table(v any, entry func(name, value string) string) (map[string]string, error) {
	return parseTable(v, entry)
}
