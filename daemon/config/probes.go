package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// A parser that keys of more than one row share: HOST:PORT (tcp and
// metrics_listen).

// parseHostPort reads HOST:PORT with a numeric port. A host may be left
// out only where it means "every address" (a listener), not where heatd
// connects. A NUL byte is refused, as parseText refuses it in other
// texts: no host name holds one, and a C library would read the name only
// up to it.
func parseHostPort(v any, needHost bool) (string, error) {
	s, err := parseString(v)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, "\x00") {
		return "", fmt.Errorf("cannot hold a NUL byte, not %s", shown(s))
	}
	example := `"localhost:5432"`
	if !needHost {
		example = `"127.0.0.1:9797" or ":9797"`
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || (needHost && host == "") {
		return "", fmt.Errorf("must be HOST:PORT such as %s, not %q", example, s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("must have a port from 1 to 65535, as in %s, not %q", example, s)
	}
	return s, nil
}
