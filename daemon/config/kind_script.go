package config

import "github.com/heatd/heatd/check"

// scriptKeys are the keys of a check that runs an executable file.
func scriptKeys() []checkKey {
	return []checkKey{
		{name: "script", kind: "script", form: `"PATH"`, rootSafe: true, doc: "an executable file, run directly",
			value: field(inDir(parseExecutable), "", func(b *built, v string) { b.Probe = check.Script(v) })},
	}
}
