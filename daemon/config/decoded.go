package config

import (
	"crypto/sha256"

	"github.com/BurntSushi/toml"
)

// textSum is a SHA-256 of a check's table as written in the file named
// file: what a load keeps to know, at the next, that a table is written as
// before in the same file (memo.go) without keeping its text or its value.
// buf is scratch space, kept for the next call.
func textSum(buf *[]byte, file, text string) sum {
	*buf = append(appendString((*buf)[:0], file), text...)
	return sha256.Sum256(*buf)
}

// splitDecode is doc, the file named file, decoded table by table: a
// check's table that prev, the configuration in force's, holds written as
// it is now (its textSum) is marked kept and not decoded at all, any other
// table decoded alone, and its values are returned beside the tables, a
// check's as fields (a kept one's nil: it is decoded when it must be read,
// checkTable.table). The checks are not gathered in data["check"], an
// empty table there: they are read from the tables and values
// (checkNames). ok is false when a table decoded alone does not give
// exactly its own path (its text is not TOML, or not only that table); the
// file is then decoded whole, for the decoder's own errors.
func splitDecode(tables []tableText, prev *memoIndex, file string) (data map[string]any, values []any, ok bool) {
	data = make(map[string]any, 3)
	values = make([]any, len(tables))
	var buf []byte
	for i, t := range tables {
		if t.top == "check" {
			if data["check"] == nil {
				data["check"] = map[string]any{}
			}
			if was, found := prev.find(t.name); found {
				if s := textSum(&buf, file, t.text); s == was.text {
					tables[i].kept, tables[i].sum = true, s
					continue
				}
			}
		}
		v, ok := decodeAlone(t)
		if !ok {
			return nil, nil, false
		}
		values[i] = v
		switch t.top {
		case "":
		case "check":
			if m, isMap := v.(map[string]any); isMap {
				values[i] = fieldsOf(m)
			}
		default:
			data[t.top] = v
		}
	}
	return data, values, true
}

// decodeAlone decodes one table's text by itself; ok is false unless it
// is TOML that holds that table and nothing else (the comments above the
// tables: nothing at all, and v is nil).
func decodeAlone(t tableText) (v any, ok bool) {
	var m map[string]any
	if _, err := toml.Decode(t.text, &m); err != nil || len(m) != btoi(t.top != "") {
		return nil, false
	}
	if t.top == "" {
		return nil, true
	}
	return pathValue(m, t)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pathValue is the value at t's path in data, which must hold no other
// check when t is a check.
func pathValue(data map[string]any, t tableText) (v any, ok bool) {
	v, ok = data[t.top]
	if !ok || t.top != "check" {
		return v, ok
	}
	checks, _ := v.(map[string]any)
	v, ok = checks[t.name]
	return v, ok && len(checks) == 1
}

// wholeValues are the values of tables in data, doc decoded whole, when
// data holds those tables and no other: then each is what its text gives
// alone. ok is false when they disagree.
func wholeValues(tables []tableText, data map[string]any) (values []any, ok bool) {
	tops, checks := 0, 0
	values = make([]any, len(tables))
	for i, t := range tables {
		if t.top == "" {
			continue // nothing, as the decoder found
		}
		v, found := data[t.top]
		if t.top == "check" {
			if checks == 0 {
				tops++
			}
			checks++
			m, _ := v.(map[string]any)
			v, found = m[t.name]
		} else {
			tops++
		}
		if !found {
			return nil, false
		}
		values[i] = v
		if m, isMap := v.(map[string]any); isMap && t.top == "check" {
			values[i] = fieldsOf(m)
		}
	}
	if m, _ := data["check"].(map[string]any); len(data) != tops || len(m) != checks {
		return nil, false
	}
	return values, true
}
