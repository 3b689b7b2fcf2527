package config

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// scope is one table being read: where its keys are in its file, and how
// an error about them is labelled.
type scope struct {
	src   *source
	path  []string // the table's path in the file; nil: the top level
	table string   // Error.Table
	check string   // Error.Check
	errs  *Errors
}

// line is the table's own line: its [header], or what first implied it.
func (s *scope) line() int { return s.src.pos.line(s.path...) }

// keyLine is where a key (or, given more names, an entry below it) is
// written, or the table's line when the scanner did not see it.
func (s *scope) keyLine(key ...string) int {
	if n := s.src.pos.line(slices.Concat(s.path, key)...); n > 0 {
		return n
	}
	return s.line()
}

// entryLine is where an entry of key is written: a table's entry by its
// name, an array's by its index; else the key's line.
func (s *scope) entryLine(key, entry string) int {
	path := slices.Concat(s.path, []string{key})
	n := s.src.pos.line(append(path, entry)...)
	if i, err := strconv.Atoi(entry); err == nil && n == 0 {
		n = s.src.pos.entryLine(i, path...)
	}
	if n > 0 {
		return n
	}
	return s.keyLine(key)
}

// add records a problem at line.
func (s *scope) add(line int, key, msg string) {
	*s.errs = append(*s.errs, &Error{
		File: s.src.name, Line: line, Table: s.table, Check: s.check, Key: key, Msg: msg,
	})
}

// keyError records err about key: each entryError inside it at its entry's
// own line, anything else at the key's.
func (s *scope) keyError(key string, err error) {
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	for _, e := range list {
		var ee *entryError
		if errors.As(e, &ee) {
			s.add(s.entryLine(key, ee.entry), key, ee.msg)
		} else {
			s.add(s.keyLine(key), key, e.Error())
		}
	}
}

// unknown records a key that the table does not have, suggesting the
// closest known one; without one, hint says what the table does hold.
func (s *scope) unknown(key string, known []string, hint string) {
	msg := "is not known"
	if best := suggestion(key, known); best != "" {
		msg += ` (did you mean "` + best + `"?)`
	} else if hint != "" {
		msg += " (" + hint + ")"
	}
	s.add(s.keyLine(key), key, msg)
}

// keys are m's keys in the order the file writes them, so errors come out
// in reading order.
func (s *scope) keys(m map[string]any) []string {
	// Each key's line is looked up once, not at every comparison: a file of
	// ten thousand checks sorts ten thousand names.
	type keyAt struct {
		key  string
		line int
	}
	list := make([]keyAt, 0, len(m))
	for k := range m {
		list = append(list, keyAt{k, s.keyLine(k)})
	}
	slices.SortFunc(list, func(a, b keyAt) int {
		return cmp.Or(cmp.Compare(a.line, b.line), strings.Compare(a.key, b.key))
	})
	keys := make([]string, len(list))
	for i, e := range list {
		keys[i] = e.key
	}
	return keys
}

// unknownHint says where a key written in the wrong table belongs, or
// else what the table holds (fallback).
func unknownHint(key, fallback string) string {
	if _, ok := daemonKeyIndex[key]; ok {
		return "it belongs in [daemon]"
	}
	switch k, ok := checkKeyIndex[key]; {
	case !ok:
	case k.defaults:
		return "it belongs in a [check.NAME] table or [defaults]"
	default:
		return "it belongs in a [check.NAME] table"
	}
	return fallback
}
