package config

import "strings"

// A reload that changes one check of ten thousand would have the TOML
// decoder read the other 9,999 tables again, to the same values: about
// half of such a reload. splitTables cuts a file into its top-level tables
// so that a reload decodes only the ones whose text changed (tables.go).
// It is deliberately narrow: it accepts only the shapes heatd's own files
// take, and says no to anything else, which is then decoded whole as
// before. Saying no is always safe; saying yes is safe because the cut is
// made only at a header that begins a line outside any string, array or
// inline table (the scanner follows each of them to its end as the
// decoder does), and a table decoded alone must give exactly its own path.

// tableText is one top-level table of a file as written: its [header]
// line, its keys, and the [NAME.SUB] tables below it that follow it. The
// comments before the first header are a table of their own, with an
// empty top: the decoder must see them too (a byte that is not UTF-8).
type tableText struct {
	top  string // "daemon", "defaults" or "check"; "": the comments above them
	name string // the check's name; "" for daemon and defaults
	text string
	line int // its first line in the file
	// kept says that a check's table is written as the configuration in
	// force had it in this file, sum being its textSum; it is then not
	// decoded unless it must be read (decoded.go).
	kept bool
	sum  sum
}

// splitTables cuts doc into its top-level tables, in file order. ok is
// false when doc holds anything but comments before its first header, a
// header other than [daemon], [defaults], [defaults.SUB], [check.NAME] and
// [check.NAME.SUB] (bare or plainly quoted names), a table whose headers
// are not side by side, or anything the scanner does not follow exactly.
func splitTables(doc string) (tables []tableText, ok bool) {
	s := splitter{src: doc}
	// Made about as large as they will grow, a table a header, rather
	// than grown and copied step by step: ten thousand checks.
	headers := min(strings.Count(doc, "\n[")+1, positionsPresize)
	seen := make(map[tableKey]bool, headers)
	tables = make([]tableText, 0, headers)
	start := -1 // the current table's first byte; -1: the root
	var cur tableKey
	comments := false // the root has some
	for {
		lineStart := s.i
		s.blanks()
		switch {
		case s.eof():
			if start >= 0 {
				tables = append(tables, tableText{top: cur.top, name: cur.name, text: doc[start:]})
			} else if comments {
				tables = append(tables, tableText{text: doc})
			}
			numberLines(doc, tables)
			return tables, true
		case s.src[s.i] == '\n':
			s.i++
			continue
		case s.at("\r\n"):
			s.i += 2
			continue
		case s.src[s.i] == '#':
			if !s.comment() || !s.lineEnd() {
				return nil, false
			}
			comments = comments || start < 0
			continue
		case s.src[s.i] == '[':
			k, valid := s.header()
			if !valid || !s.lineEnd() {
				return nil, false
			}
			if start >= 0 && k == cur {
				continue // a [NAME.SUB] of the table being read
			}
			if seen[k] {
				return nil, false // written in two places: the decoder judges
			}
			seen[k] = true
			if start >= 0 {
				tables = append(tables, tableText{top: cur.top, name: cur.name, text: doc[start:lineStart]})
			} else if comments {
				tables = append(tables, tableText{text: doc[:lineStart]})
			}
			start, cur = lineStart, k
		default:
			if start < 0 || !s.keyValue() || !s.lineEnd() {
				return nil, false // the root holds only tables
			}
		}
	}
}

// numberLines sets each table's first line: one more than the line ends
// above it. The tables cover the end of doc, one after another.
func numberLines(doc string, tables []tableText) {
	rest := 0
	for _, t := range tables {
		rest += len(t.text)
	}
	line := 1 + strings.Count(doc[:len(doc)-rest], "\n")
	for i := range tables {
		tables[i].line = line
		line += strings.Count(tables[i].text, "\n")
	}
}

// tableKey names a top-level table.
type tableKey struct{ top, name string }

// splitter is the state of splitTables: src read up to i.
type splitter struct {
	src string
	i   int
}

func (s *splitter) eof() bool { return s.i >= len(s.src) }

func (s *splitter) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *splitter) at(prefix string) bool {
	return len(s.src)-s.i >= len(prefix) && s.src[s.i:s.i+len(prefix)] == prefix
}

// blanks passes spaces and tabs.
func (s *splitter) blanks() {
	for !s.eof() && (s.src[s.i] == ' ' || s.src[s.i] == '\t') {
		s.i++
	}
}

// comment passes a comment up to its line end; a carriage return not
// followed by a line feed, or a NUL, is refused.
func (s *splitter) comment() bool {
	for !s.eof() && s.src[s.i] != '\n' {
		if s.src[s.i] == '\r' && !s.at("\r\n") || s.src[s.i] == 0 {
			return false
		}
		if s.src[s.i] == '\r' {
			return true
		}
		s.i++
	}
	return true
}

// lineEnd passes blanks, a comment and the line end that must follow a
// header or a key's value.
func (s *splitter) lineEnd() bool {
	s.blanks()
	if s.peek() == '#' && !s.comment() {
		return false
	}
	switch {
	case s.eof():
		return true
	case s.src[s.i] == '\n':
		s.i++
		return true
	case s.at("\r\n"):
		s.i += 2
		return true
	}
	return false
}

// between passes what may come between the entries of an array or an
// inline table: blanks, line ends and comments.
func (s *splitter) between() bool {
	for {
		s.blanks()
		switch {
		case s.peek() == '\n':
			s.i++
		case s.at("\r\n"):
			s.i += 2
		case s.peek() == '#':
			if !s.comment() {
				return false
			}
		default:
			return true
		}
	}
}

// header reads a [header] that names a top-level table heatd knows, with
// no blanks inside it.
func (s *splitter) header() (k tableKey, ok bool) {
	s.i++ // [
	var parts [3]string
	n := 0
	for {
		part, valid := s.headerPart()
		if !valid || n == len(parts) {
			return k, false
		}
		parts[n] = part
		n++
		if s.peek() == ']' {
			s.i++
			break
		}
		if s.peek() != '.' {
			return k, false
		}
		s.i++
	}
	switch {
	case parts[0] == "daemon" && n == 1:
		return tableKey{top: "daemon"}, true
	case parts[0] == "defaults" && n <= 2:
		return tableKey{top: "defaults"}, true
	case parts[0] == "check" && n >= 2:
		return tableKey{top: "check", name: parts[1]}, true
	}
	return k, false
}

// headerPart reads a bare name, or one in double quotes without escapes.
func (s *splitter) headerPart() (string, bool) {
	if s.peek() == '"' {
		s.i++
		start := s.i
		for !s.eof() && s.src[s.i] != '"' {
			if c := s.src[s.i]; c == '\\' || c < 0x20 || c == 0x7f {
				return "", false
			}
			s.i++
		}
		if s.eof() {
			return "", false
		}
		s.i++
		return s.src[start : s.i-1], true
	}
	start := s.i
	for !s.eof() && isBare(s.src[s.i]) {
		s.i++
	}
	return s.src[start:s.i], s.i > start
}

// keyValue reads key = value.
func (s *splitter) keyValue() bool {
	if !s.key() {
		return false
	}
	s.blanks()
	if s.peek() != '=' {
		return false
	}
	s.i++
	s.blanks()
	return s.value()
}

// key reads a key of bare or quoted parts joined by dots.
func (s *splitter) key() bool {
	for {
		s.blanks()
		switch c := s.peek(); {
		case c == '"':
			if !s.basic() {
				return false
			}
		case c == '\'':
			if !s.literal() {
				return false
			}
		case isBare(c):
			for !s.eof() && isBare(s.src[s.i]) {
				s.i++
			}
		default:
			return false
		}
		s.blanks()
		if s.peek() != '.' {
			return true
		}
		s.i++
	}
}

// value passes one value, following strings, arrays and inline tables to
// their ends.
func (s *splitter) value() bool {
	switch c := s.peek(); {
	case s.at(`"""`):
		return s.multiline('"')
	case s.at(`'''`):
		return s.multiline('\'')
	case c == '"':
		return s.basic()
	case c == '\'':
		return s.literal()
	case c == '[':
		return s.array()
	case c == '{':
		return s.inline()
	}
	// A number, a boolean, a date or time: a date and time apart by a
	// space is refused (what follows the space is no line end).
	start := s.i
	for !s.eof() && (isBare(s.src[s.i]) || s.src[s.i] == '+' || s.src[s.i] == '.' || s.src[s.i] == ':') {
		s.i++
	}
	return s.i > start
}

// basic passes a "string", its escapes included, on one line.
func (s *splitter) basic() bool {
	s.i++
	for !s.eof() {
		switch s.src[s.i] {
		case '"':
			s.i++
			return true
		case '\\':
			s.i += 2
		case '\n', '\r':
			return false
		default:
			s.i++
		}
	}
	return false
}

// literal passes a 'string', on one line.
func (s *splitter) literal() bool {
	s.i++
	for !s.eof() {
		switch s.src[s.i] {
		case '\'':
			s.i++
			return true
		case '\n', '\r':
			return false
		}
		s.i++
	}
	return false
}

// multiline passes a string in three quotes q, which ends at the next
// three. A run of four or more (the string's text may end in one or two
// quotes) is refused rather than judged. In double quotes a backslash
// escapes the character after it.
func (s *splitter) multiline(q byte) bool {
	s.i += 3
	for !s.eof() {
		c := s.src[s.i]
		switch {
		case c == '\\' && q == '"':
			s.i += 2
		case c == q:
			run := 0
			for !s.eof() && s.src[s.i] == q {
				run++
				s.i++
			}
			if run > 3 {
				return false
			}
			if run == 3 {
				return true
			}
		default:
			s.i++
		}
	}
	return false
}

// array passes [ values, ... ], which may span lines.
func (s *splitter) array() bool {
	s.i++
	for {
		if !s.between() {
			return false
		}
		if s.peek() == ']' {
			s.i++
			return true
		}
		if !s.value() || !s.between() {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// inline passes { key = value, ... }, which TOML 1.1 lets span lines.
func (s *splitter) inline() bool {
	s.i++
	for {
		if !s.between() {
			return false
		}
		if s.peek() == '}' {
			s.i++
			return true
		}
		if !s.keyValue() || !s.between() {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}
