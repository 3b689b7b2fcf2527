package config

import "github.com/heatd/heatd/check"

// commandKeys are the keys of a check that runs a shell command.
func commandKeys() []checkKey {
	return []checkKey{
		{name: "command", kind: "command", form: `"COMMAND"`,
			doc:   "a shell command, run by `/bin/sh -c`; a check has exactly one of `command`, `script`, `http`, `tcp` and `process`",
			value: field(plain(parseText), "", func(b *built, v string) { b.Probe = check.Command(v) })},
	}
}
