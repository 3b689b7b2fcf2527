package config

import (
	"encoding/binary"
	"slices"
	"strings"
)

// fields are one check's table as the decoder gave it, in a slice sorted
// by key rather than a map: a file decoded table by table gives its
// checks so (decoded.go). A map of a few keys takes some 340 bytes, and
// ten thousand of them are made and collected again at each load.
type fields []kv

type kv struct {
	key string
	v   any
}

// fieldsOf is m as fields.
func fieldsOf(m map[string]any) fields {
	f := make(fields, 0, len(m))
	for k, v := range m {
		f = append(f, kv{k, v})
	}
	slices.SortFunc(f, func(a, b kv) int { return strings.Compare(a.key, b.key) })
	return f
}

// get is the value of key.
func (f fields) get(key string) (any, bool) {
	for _, e := range f {
		if e.key == key {
			return e.v, true
		}
	}
	return nil, false
}

// table is f as the map the decoder gave.
func (f fields) table() map[string]any {
	m := make(map[string]any, len(f))
	for _, e := range f {
		m[e.key] = e.v
	}
	return m
}

// appendCanonical is appendCanonical of f's map: the same bytes, as the
// keys are in order already.
func (f fields) appendCanonical(b []byte) (_ []byte, ok bool) {
	b = binary.AppendUvarint(append(b, 't'), uint64(len(f)))
	for _, e := range f {
		b = appendString(b, e.key)
		if b, ok = appendCanonical(b, e.v); !ok {
			return b, false
		}
	}
	return b, true
}
