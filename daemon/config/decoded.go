package config

import "github.com/BurntSushi/toml"

// decoded are the values of the top-level tables ([daemon], [defaults],
// each [check.NAME]) of one file of a valid load, by their text as
// split.go cuts it: the
// next load takes a table written as before from here rather than
// decoding it again. A value is what the decoder gives for that text
// alone, wherever in which file it stands: lines are not in it (they are
// scanned from each file as it is now), so a table that moved, or that
// another table's edit shifted, is taken all the same. The values are
// shared between loads and never written to.
type decoded map[string]any

// splitDecode is doc decoded table by table: a table whose text prev
// holds is taken from it (and marked kept), any other decoded alone, and
// its values are returned beside the tables, a check's as fields. The
// checks are not gathered in data["check"], an empty table there: they
// are read from the tables and values (checkNames). ok is false when a table decoded alone does
// not give exactly its own path (its text is not TOML, or not only that
// table); the file is then decoded whole, for the decoder's own errors.
func splitDecode(tables []tableText, prev decoded) (data map[string]any, values []any, ok bool) {
	data = make(map[string]any, 3)
	values = make([]any, len(tables))
	for i, t := range tables {
		v, found := prev[t.text]
		if !found {
			if v, ok = decodeAlone(t); !ok {
				return nil, nil, false
			}
		}
		tables[i].kept = found
		values[i] = v
		switch t.top {
		case "":
		case "check":
			if data["check"] == nil {
				data["check"] = map[string]any{}
			}
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
