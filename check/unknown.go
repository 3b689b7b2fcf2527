package check

import (
	"fmt"
	"strings"
)

// UnknownError is a verb given names that no check has. Nothing was done:
// a verb acts on all of its names or on none.
type UnknownError struct {
	Names []string // sorted
	// Hints maps a name to the check it most likely meant, where one is
	// close enough to be a typing slip.
	Hints map[string]string
}

// Error names them: `no check named "wbe" (did you mean "web"?)`.
func (e *UnknownError) Error() string {
	parts := make([]string, len(e.Names))
	for i, n := range e.Names {
		parts[i] = fmt.Sprintf("%q", n)
		if h := e.Hints[n]; h != "" {
			parts[i] += fmt.Sprintf(" (did you mean %q?)", h)
		}
	}
	if len(parts) == 1 {
		return "no check named " + parts[0]
	}
	return "no checks named " + strings.Join(parts, ", ")
}
