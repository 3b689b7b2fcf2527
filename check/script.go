package check

import "context"

// Script is a `script = "PATH"` check: an executable file, run directly
// with no shell.
type Script string

// scriptKind is the registry's entry for Script.
func scriptKind() Kind {
	return Kind{
		Key: Key{Name: "script", RootSafe: true, Doc: "an executable file, run directly",
			Value: Make(Reader.Executable, func(path string) Probe { return Script(path) })},
		Form: `"PATH"`,
	}
}

// Kind is the config key of a script check.
func (Script) Kind() string { return "script" }

// Prepare makes the runs of a script check.
func (s Script) Prepare(spec *Spec, base []string) Prober {
	return &scriptProber{processes: processes{spec: spec, base: base}, path: string(s)}
}

// scriptProber runs a script check.
type scriptProber struct {
	processes
	path string
}

// Run runs the script once. Its result is named, built where its caller
// takes it: this frame lies under the process's spawn.
func (p *scriptProber) Run(ctx context.Context) (r Result) {
	r = result(p.run(ctx, p.path, []string{p.path}, p.environ()))
	return r
}

// Close has nothing to release.
func (p *scriptProber) Close() {}
