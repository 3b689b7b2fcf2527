package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/heatd/heatd/action"
)

// The value parsers below take a decoded TOML value and return it typed,
// or an error whose text follows `key "NAME": ` in a message: it says what
// was found and what is expected.

// typeName names a decoded value's TOML type, as the writer knows it.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date-time"
	}
	return fmt.Sprintf("a %T", v)
}

// shown is v as the writer wrote it, for "not ..." in a message.
func shown(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return typeName(v)
}

func parseString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %s", typeName(v))
	}
	return s, nil
}

// parseText is a string that must say something: an empty command or URL
// is a mistake, never a wish. It holds no NUL byte either: a command, path
// or address goes to execve or the kernel as a C string, which ends at the
// first NUL, so such a check could never run.
func parseText(v any) (string, error) {
	s, err := parseString(v)
	switch {
	case err != nil:
	case strings.TrimSpace(s) == "":
		err = errors.New("must not be empty")
	case strings.Contains(s, "\x00"):
		err = fmt.Errorf("cannot hold a NUL byte, not %s", shown(s))
	}
	return s, err
}

func parseInt(v any) (int64, error) {
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("must be an integer, not %s", typeName(v))
	}
	return n, nil
}

func parseBool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("must be true or false, not %s", typeName(v))
	}
	return b, nil
}

// parseSignal reads a signal name or number with action.ParseSignal, whose
// own words say what is wrong with a string or an integer.
func parseSignal(v any) (syscall.Signal, error) {
	switch v.(type) {
	case string, int64:
		return action.ParseSignal(v)
	}
	return 0, fmt.Errorf(`must be a signal name such as "USR1" or a number, not %s`, typeName(v))
}
