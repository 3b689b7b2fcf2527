package config

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// positions records where each table and key of one file first appears.
// BurntSushi/toml keeps key positions to itself, so the problems found after
// decoding (an unknown key, keys that conflict) find their line here.
type positions struct {
	lines    map[string]int  // pathKey → line of first appearance
	explicit map[string]bool // paths that have a [header] of their own
	headers  []header        // every [header], in file order
	// entries are, for each array under a key, the entries that begin a
	// line of it: a multi-line list (include) has an entry a line, and an
	// error about one points at it. Entries that follow another on its
	// line are not recorded, so an array costs at most one per line.
	entries map[string][]entryAt
	// cut, when not nil, holds the positions instead: those of a file
	// cut into tables, scanned a table at a time (cutlines.go).
	cut *cutLines
}

// entryAt says that an array's entries from index first on are written
// from line on.
type entryAt struct{ first, line int }

// header is one [table] or [[array]] header line.
type header struct {
	path []string
	line int
}

// pathKey joins a key path with a byte no TOML key can hold unquoted and no
// sane one holds quoted, so ["a.b"] and ["a", "b"] stay apart.
func pathKey(path []string) string { return strings.Join(path, "\x00") }

// line is where path first appears: its own [header] if it has one, else
// the first key or header that implies it; 0 when it is not in the file.
func (p *positions) line(path ...string) int { return p.lineUnder(nil, path...) }

// lineUnder is line(parent + path...), with the path key built in a buffer
// rather than joined: a load of ten thousand checks looks up every key of
// every check, and the map is read with the buffer's bytes as they are.
func (p *positions) lineUnder(parent []string, path ...string) int {
	if p.cut != nil {
		return p.cut.lineUnder(parent, path)
	}
	var buf [128]byte
	b := buf[:0]
	for i, name := range parent {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, name...)
	}
	for i, name := range path {
		if i > 0 || len(parent) > 0 {
			b = append(b, 0)
		}
		b = append(b, name...)
	}
	return p.lines[string(b)]
}

// entryLine is where entry i of the array at path is written; 0 when the
// array is not in the file or its entry shares the key's line.
func (p *positions) entryLine(i int, path ...string) int {
	if p.cut != nil {
		return p.cut.entryLine(i, path)
	}
	list := p.entries[pathKey(path)]
	n, found := slices.BinarySearchFunc(list, i, func(e entryAt, i int) int { return cmp.Compare(e.first, i) })
	if !found {
		n-- // the line of the closest entry before it
	}
	if n < 0 {
		return 0
	}
	return list[n].line
}

// entry records that entry i of the array at path begins line.
func (p *positions) entry(path []string, i, line int) {
	k := pathKey(path)
	if p.entries == nil {
		p.entries = map[string][]entryAt{}
	}
	list := p.entries[k]
	if len(list) > 0 && list[len(list)-1].first >= i {
		return // a second array at the same path, which TOML refuses
	}
	p.entries[k] = append(list, entryAt{i, line})
}

// redefined reports the earlier line of a [check.NAME] header repeated at
// line, so the TOML error "already defined" can name both places.
func (p *positions) redefined(line int) (name string, first int, ok bool) {
	for i, h := range p.headers {
		if h.line != line || len(h.path) != 2 || h.path[0] != "check" {
			continue
		}
		for _, e := range p.headers[:i] {
			if slices.Equal(e.path, h.path) {
				return h.path[1], e.line, true
			}
		}
	}
	return "", 0, false
}

// note records path and the tables it implies at line, unless they were
// seen before. The parts before from were noted already (the table or the
// inline table path is in), so a key costs the length of its own path, not
// of every prefix joined again: nested inline tables stay linear.
func (p *positions) note(path []string, from, line int) {
	full := pathKey(path)
	end := 0
	for n, part := range path {
		if n > 0 {
			end++
		}
		end += len(part)
		if n < from {
			continue
		}
		if _, ok := p.lines[full[:end]]; !ok {
			p.lines[full[:end]] = line
		}
	}
}

// define records a [header]: its line wins over a line that only implied
// the table (a [check.web.env] before [check.web]).
func (p *positions) define(path []string, line int) {
	p.note(path[:len(path)-1], 0, line)
	k := pathKey(path)
	if !p.explicit[k] {
		p.lines[k] = line
		p.explicit[k] = true
	}
	p.headers = append(p.headers, header{path: path, line: line})
}

// scanPositions reads src just enough to find keys and headers: strings,
// arrays and inline tables (which may span lines) are skipped over whole,
// so a line inside a multi-line string never looks like a key. It accepts
// any input without looping or panicking, because it also reads files that
// TOML rejected.
func scanPositions(src string) *positions {
	// The maps are made about as large as they will grow (a key or a
	// header a line, a header a table), rather than grown, and rehashed,
	// step by step: ten thousand checks are thirty thousand lines.
	lines := min(strings.Count(src, "\n")+1, positionsPresize)
	headers := min(strings.Count(src, "\n[")+1, positionsPresize)
	p := &positions{lines: make(map[string]int, lines), explicit: make(map[string]bool, headers)}
	s := &scanner{src: strings.TrimPrefix(src, "\ufeff"), line: 1, pos: p}
	s.document()
	return p
}

// positionsPresize bounds how large scanPositions makes its maps at
// first: a file of blank lines must not make them large for nothing.
const positionsPresize = 1 << 16

// scanner is the state of scanPositions.
type scanner struct {
	src  string
	i    int
	line int
	pos  *positions
}

func (s *scanner) eof() bool { return s.i >= len(s.src) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *scanner) at(prefix string) bool { return strings.HasPrefix(s.src[s.i:], prefix) }

// skip passes spaces and tabs, and with newlines also line ends and
// comments (a comment always runs to a line end, which is left for the
// caller when newlines is false).
func (s *scanner) skip(newlines bool) {
	for !s.eof() {
		switch c := s.src[s.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case c == '#':
			for !s.eof() && s.src[s.i] != '\n' {
				s.i++
			}
		case c == '\n' && newlines:
			s.line++
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) document() {
	var table []string
	for {
		s.skip(true)
		if s.eof() {
			return
		}
		start := s.i
		if s.peek() == '[' {
			if path := s.header(); len(path) > 0 {
				table = path
			}
		} else {
			s.keyValue(table)
		}
		if s.i == start {
			s.i++ // not TOML; move on rather than loop
		}
	}
}

// header reads [a.b] or [[a.b]].
func (s *scanner) header() []string {
	line := s.line
	s.i++
	array := s.peek() == '['
	if array {
		s.i++
	}
	path := s.key()
	s.skip(false)
	if s.peek() == ']' {
		s.i++
		if array && s.peek() == ']' {
			s.i++
		}
	}
	if len(path) > 0 {
		s.pos.define(path, line)
	}
	return path
}

// keyValue reads key = value inside table; within records nothing when
// table is nil (the tables inside an array have no stable path).
func (s *scanner) keyValue(table []string) {
	line := s.line
	k := s.key()
	if len(k) == 0 {
		return
	}
	full := slices.Concat(table, k)
	s.pos.note(full, len(table), line)
	s.skip(false)
	if s.peek() == '=' {
		s.i++
	}
	s.skip(false)
	s.value(full)
}

// key reads a dotted key: bare, "basic" or 'literal' parts.
func (s *scanner) key() []string {
	var parts []string
	for {
		s.skip(false)
		var part string
		switch c := s.peek(); {
		case c == '"':
			part = s.basic()
		case c == '\'':
			part = s.literal()
		case isBare(c):
			start := s.i
			for !s.eof() && isBare(s.src[s.i]) {
				s.i++
			}
			part = s.src[start:s.i]
		default:
			return parts
		}
		parts = append(parts, part)
		s.skip(false)
		if s.peek() != '.' {
			return parts
		}
		s.i++
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value; an inline table's keys are recorded under path
// unless path is nil.
func (s *scanner) value(path []string) {
	switch {
	case s.at(`"""`):
		s.multiline(`"""`)
	case s.at(`'''`):
		s.multiline(`'''`)
	case s.peek() == '"':
		s.basic()
	case s.peek() == '\'':
		s.literal()
	case s.peek() == '[':
		s.array(path)
	case s.peek() == '{':
		s.inline(path)
	default:
		for !s.eof() && !strings.ContainsRune(",]}#\n", rune(s.src[s.i])) {
			s.i++
		}
	}
}

// array skips [ ... ]. Under a path, it records where each line of the
// array begins (see positions.entries).
func (s *scanner) array(path []string) {
	s.i++
	last := s.line
	for n := 0; ; {
		s.skip(true)
		switch s.peek() {
		case 0:
			return
		case ']':
			s.i++
			return
		case ',':
			s.i++
		default:
			if path != nil && s.line != last {
				last = s.line
				s.pos.entry(path, n, s.line)
			}
			n++
			start := s.i
			s.value(nil)
			if s.i == start {
				s.i++
			}
		}
	}
}

// inline skips { k = v, ... }, which TOML 1.1 lets span lines.
func (s *scanner) inline(path []string) {
	s.i++
	for {
		s.skip(true)
		switch s.peek() {
		case 0:
			return
		case '}':
			s.i++
			return
		case ',':
			s.i++
			continue
		}
		line := s.line
		k := s.key()
		if len(k) == 0 {
			s.i++
			continue
		}
		var full []string
		if path != nil {
			full = slices.Concat(path, k)
			s.pos.note(full, len(path), line)
		}
		s.skip(false)
		if s.peek() == '=' {
			s.i++
		}
		s.skip(false)
		s.value(full)
	}
}

// multiline skips a string in three double or three single quotes; up to
// two more quotes right before the closing three belong to the string.
func (s *scanner) multiline(delim string) {
	s.i += len(delim)
	for !s.eof() {
		switch {
		case delim[0] == '"' && s.src[s.i] == '\\':
			s.i++
			if s.peek() == '\n' {
				s.line++
			}
			s.i++
		case s.at(delim):
			s.i += len(delim)
			for n := 0; n < 2 && s.peek() == delim[0]; n++ {
				s.i++
			}
			return
		default:
			if s.src[s.i] == '\n' {
				s.line++
			}
			s.i++
		}
	}
}

// literal reads a 'literal' string, which ends at its line.
func (s *scanner) literal() string {
	s.i++
	start := s.i
	for !s.eof() && s.src[s.i] != '\'' && s.src[s.i] != '\n' {
		s.i++
	}
	text := s.src[start:s.i]
	if s.peek() == '\'' {
		s.i++
	}
	return text
}

// basic reads a "basic" string and decodes its escapes, so a quoted key
// matches the key TOML decoded.
func (s *scanner) basic() string {
	s.i++
	var b strings.Builder
	for !s.eof() {
		c := s.src[s.i]
		switch c {
		case '"':
			s.i++
			return b.String()
		case '\n':
			return b.String()
		case '\\':
			s.i++
			s.escape(&b)
		default:
			b.WriteByte(c)
			s.i++
		}
	}
	return b.String()
}

// escape decodes the escape after a backslash.
func (s *scanner) escape(b *strings.Builder) {
	digits := 0
	switch c := s.peek(); c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case '"', '\\':
		b.WriteByte(c)
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return
	}
	s.i++
	if digits == 0 || s.i+digits > len(s.src) {
		return
	}
	if n, err := strconv.ParseUint(s.src[s.i:s.i+digits], 16, 32); err == nil {
		b.WriteRune(rune(n))
		s.i += digits
	}
}
