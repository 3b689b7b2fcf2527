package config

import "strings"

// A string the TOML decoder gives, and a check's name as split.go cuts it,
// is a slice of the file's text: one such string kept for as long as a
// check runs keeps the whole text alive, and after a reload that took some
// checks as they run and built others, two texts. The strings a table's
// values land in are therefore copied out as they are read, all of one
// table's into one allocation of its own, which is all they keep alive.

// detacher copies the strings of one table out of the text.
type detacher struct{ b strings.Builder }

// reserve makes room for the strings of m's values and size bytes more.
func (d *detacher) reserve(m map[string]any, size int) {
	for _, v := range m {
		size += stringBytes(v)
	}
	d.b.Grow(size)
}

// stringBytes is the length of the strings in v, keys of tables included.
func stringBytes(v any) int {
	n := 0
	switch v := v.(type) {
	case string:
		n = len(v)
	case []any:
		for _, e := range v {
			n += stringBytes(e)
		}
	case []map[string]any:
		for _, e := range v {
			n += stringBytes(e)
		}
	case map[string]any:
		for k, e := range v {
			n += len(k) + stringBytes(e)
		}
	}
	return n
}

// str is s, copied.
func (d *detacher) str(s string) string {
	start := d.b.Len()
	d.b.WriteString(s)
	return d.b.String()[start:]
}

// value is v with its strings copied; v itself when it has none.
func (d *detacher) value(v any) any {
	if stringBytes(v) == 0 {
		return v
	}
	switch v := v.(type) {
	case string:
		return d.str(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = d.value(e)
		}
		return out
	case []map[string]any:
		out := make([]map[string]any, len(v))
		for i, e := range v {
			out[i], _ = d.value(e).(map[string]any)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[d.str(k)] = d.value(e)
		}
		return out
	}
	return v
}
