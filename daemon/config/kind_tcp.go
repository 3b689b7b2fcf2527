package config

import "github.com/heatd/heatd/check"

// tcpKeys are the keys of a native TCP probe: a check that connects.
func tcpKeys() []checkKey {
	return []checkKey{
		{name: "tcp", kind: "tcp", form: `"HOST:PORT"`, doc: "a `HOST:PORT` that heatd connects to itself",
			value: field(plain(func(v any) (string, error) { return parseHostPort(v, true) }), "", func(b *built, v string) { b.Probe = check.TCPProbe{Addr: v} })},
	}
}
