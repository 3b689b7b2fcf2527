package config

import (
	"fmt"
	"strings"
)

// Error is one problem found in the configuration. Its text names the
// file, the line when one is known, the table or check, the key, and says
// what is wrong and what would be right:
//
//	/etc/heat.toml:12: check "web": key "treshold" is not known (did you mean "threshold"?)
//	/etc/heat.toml:3: [daemon] key "log_level": must be one of debug, info, warn or error, not "verbose"
//	/etc/heat.toml:5: [defaults] key "interval": must be positive, not "0s"
//	/etc/heat.toml: cannot be read: no such file or directory
//
// A Msg that begins with "is " continues the sentence of its subject (the
// key, else the check or table) after a space; any other Msg follows a
// colon.
type Error struct {
	File  string // as given, or as the include pattern matched it
	Line  int    // 0 when there is no line to point at
	Table string // "daemon", "defaults", "check", or an unknown table's name
	Check string // with Table "check": the check's name, which may be empty
	Key   string // the key at fault; empty for a whole table or file
	Msg   string
}

// Error formats e as described on the type.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	subject := ""
	switch {
	case e.Table == "check" && e.Key != "":
		subject = fmt.Sprintf("check %q: key %q", e.Check, e.Key)
	case e.Table == "check":
		subject = fmt.Sprintf("check %q", e.Check)
	case e.Table != "" && e.Key != "":
		subject = fmt.Sprintf("[%s] key %q", e.Table, e.Key)
	case e.Table != "":
		subject = "[" + e.Table + "]"
	case e.Key != "":
		subject = fmt.Sprintf("key %q", e.Key)
	}
	b.WriteString(subject)
	switch {
	case subject == "":
	case strings.HasPrefix(e.Msg, "is "):
		b.WriteString(" ")
	default:
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem Load found, in file order (the main file first,
// then included files in the order they were read) and line order.
type Errors []*Error

// Error is one line per problem.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
