package config

import "fmt"

// The bounds below keep a hostile or broken file from costing minutes,
// gigabytes or the daemon. The TOML decoder recurses once per level of
// nesting (a Go stack overflow cannot be recovered), and both it and the
// position scanner spend time and memory that grow with the square of a key
// path's length; so the shape of a file is measured by one linear pass
// before either sees it.
const (
	// maxFileSize bounds a configuration file: ten thousand checks with a
	// handful of keys each take one or two megabytes; a file far larger is
	// a mistake (a glob that matched a log), not a configuration.
	maxFileSize = 4 << 20

	// maxDepth bounds how deep a value sits: the parts of its [table]
	// header, of its dotted key, and the arrays and inline tables around
	// it, added together. heatd's own deepest key, [check.NAME.env] KEY,
	// is 4 deep; 16 leaves room for anything a person writes, and keeps
	// the decoder's cost per byte, which grows with a key's depth, low
	// enough that a file of maxFileSize parses in seconds on a busy host.
	maxDepth = 16

	// maxContainers bounds the arrays and inline tables in one file, each
	// of which the decoder makes a slice or a map for: ten thousand checks,
	// each with an env table, HTTP headers and a list of statuses, open
	// thirty thousand; a file of nothing but nested ones would otherwise
	// cost the decoder most of a gigabyte within maxFileSize.
	maxContainers = 100_000

	// maxLineLength bounds one line, strings included: the longest command
	// or header a person writes is a few hundred bytes.
	maxLineLength = 64 << 10
)

// checkShape measures text against maxDepth, maxContainers and
// maxLineLength in one pass,
// without recursion, and reports the first place that exceeds one; 0 and
// "" when none does. It reads strings and comments just enough to skip
// them, and accepts any bytes, TOML or not.
func checkShape(text []byte) (line int, msg string) {
	s := shape{text: text, line: 1, key: true}
	return s.run()
}

// shape is the state of checkShape.
type shape struct {
	text      []byte
	i         int
	line      int
	lineStart int   // offset of the current line's first byte
	open      []int // one per open [ or {: the depth where it opened
	opened    int   // arrays and inline tables opened so far
	braces    []bool
	table     int  // parts of the current [header]
	depth     int  // depth of what is read now
	key       bool // a key is expected or being read
	part      bool // the current key part has been counted
}

func (s *shape) run() (int, string) {
	for s.i < len(s.text) {
		if msg := s.step(); msg != "" {
			return s.line, msg
		}
	}
	return s.endLine()
}

// endLine checks the length of the line that ends here.
func (s *shape) endLine() (int, string) {
	if n := s.i - s.lineStart; n > maxLineLength {
		return s.line, fmt.Sprintf("line is %d bytes long; heatd reads lines of at most %d bytes", n, maxLineLength)
	}
	return 0, ""
}

// newline passes a line end, inside a string or not.
func (s *shape) newline() string {
	if _, msg := s.endLine(); msg != "" {
		return msg
	}
	s.i++
	s.line++
	s.lineStart = s.i
	return ""
}

// deeper counts one more level and reports when it is too many.
func (s *shape) deeper() string {
	s.depth++
	if s.depth > maxDepth {
		return fmt.Sprintf("nests tables, dotted keys, arrays and inline tables more than %d deep; heatd reads at most %d", maxDepth, maxDepth)
	}
	return ""
}

func (s *shape) step() string {
	c := s.text[s.i]
	switch {
	case c == '\n':
		if len(s.open) == 0 {
			s.key, s.part, s.depth = true, false, s.table
		}
		return s.newline()
	case c == '#':
		for s.i < len(s.text) && s.text[s.i] != '\n' {
			s.i++
		}
		return ""
	case c == '"' || c == '\'':
		if s.key && !s.part {
			s.part = true
			if msg := s.deeper(); msg != "" {
				return msg
			}
		}
		return s.str(c)
	case c == '[' && s.key && len(s.open) == 0:
		return s.header()
	case c == '[' || c == '{':
		s.open = append(s.open, s.depth)
		s.braces = append(s.braces, c == '{')
		s.key, s.part = c == '{', false
		s.i++
		if s.opened++; s.opened > maxContainers {
			return fmt.Sprintf("holds more than %d arrays and inline tables; heatd reads at most %d", maxContainers, maxContainers)
		}
		return s.deeper()
	case c == ']' || c == '}':
		if n := len(s.open); n > 0 {
			s.depth = s.open[n-1]
			s.open, s.braces = s.open[:n-1], s.braces[:n-1]
		}
		s.key = false
	case c == ',':
		if n := len(s.open); n > 0 {
			s.depth = s.open[n-1] + 1
			s.key, s.part = s.braces[n-1], false
		}
	case c == '=':
		s.key = false
	case c == '.' && s.key:
		s.part = false
	case s.key && !s.part && isBare(c):
		s.part = true
		s.i++
		return s.deeper()
	}
	s.i++
	return ""
}

// header reads [a.b] or [[a.b]], counting its parts.
func (s *shape) header() string {
	s.depth, s.part = 0, false
	for s.i++; s.i < len(s.text); {
		switch c := s.text[s.i]; {
		case c == '\n' || c == ']' && s.part:
			s.table, s.key = s.depth, false
			return ""
		case c == '"' || c == '\'':
			if !s.part {
				s.part = true
				if msg := s.deeper(); msg != "" {
					return msg
				}
			}
			if msg := s.str(c); msg != "" {
				return msg
			}
		case c == '.':
			s.part = false
			s.i++
		case isBare(c) && !s.part:
			s.part = true
			if msg := s.deeper(); msg != "" {
				return msg
			}
			s.i++
		default:
			s.i++
		}
	}
	s.table, s.key = s.depth, false
	return ""
}

// str skips a string that opens with quote, multi-line or not.
func (s *shape) str(quote byte) string {
	three := s.i+2 < len(s.text) && s.text[s.i+1] == quote && s.text[s.i+2] == quote
	if three {
		s.i += 3
	} else {
		s.i++
	}
	for s.i < len(s.text) {
		switch c := s.text[s.i]; {
		case c == '\\' && quote == '"':
			s.i++
			if s.i < len(s.text) && s.text[s.i] == '\n' {
				if msg := s.newline(); msg != "" {
					return msg
				}
				continue
			}
			s.i++
		case c == '\n':
			if !three {
				return "" // an unclosed string; the line end is the caller's
			}
			if msg := s.newline(); msg != "" {
				return msg
			}
		case c == quote && !three:
			s.i++
			return ""
		case c == quote && s.i+2 < len(s.text) && s.text[s.i+1] == quote && s.text[s.i+2] == quote:
			s.i += 3
			for n := 0; n < 2 && s.i < len(s.text) && s.text[s.i] == quote; n++ {
				s.i++
			}
			return ""
		default:
			s.i++
		}
	}
	return ""
}
