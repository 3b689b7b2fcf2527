package config

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/heatd/heatd/check"
)

// Load reads and validates the configuration at path and what it includes.
// The error, when not nil, is an Errors listing every problem found, and
// the Config is nil. A file with no checks is valid. When heatd runs as
// root (effective uid 0), the root-safety rules apply too, unless the
// configuration turns them off (see guard).
func Load(path string) (*Config, error) {
	return loadAs(path, os.Geteuid() == 0)
}

// LoadAfter is Load for a reload: prev is the configuration in force (nil:
// none), and inForce gives a check's settings as the engine runs them.
// A check whose table, file, [defaults] and [daemon] are as prev had them
// is taken from inForce rather than built again, once its scripts and, as
// root, the files it names pass again (memo.go). The result and the errors
// are those of Load.
func LoadAfter(path string, prev *Config, inForce func(name string) (check.Spec, bool)) (*Config, error) {
	return loadAfterAs(path, os.Geteuid() == 0, prev, inForce)
}

// loadAfterAs is LoadAfter, as root or not: tests choose.
func loadAfterAs(path string, asRoot bool, prev *Config, inForce func(name string) (check.Spec, bool)) (*Config, error) {
	l := loader{asRoot: asRoot, inForce: inForce}
	if prev != nil {
		l.prev, l.prevBase, l.prevCut = &memoIndex{list: prev.memos}, prev.base, prev.cut
	}
	return l.result(path)
}

// loadAs is Load, as root or not: tests choose.
func loadAs(path string, asRoot bool) (*Config, error) {
	l := loader{asRoot: asRoot}
	return l.result(path)
}

// result loads path, its errors sorted.
func (l *loader) result(path string) (*Config, error) {
	cfg := l.load(path)
	if len(l.errs) > 0 {
		l.sortErrors()
		return nil, l.errs
	}
	return cfg, nil
}

// loader holds one Load's progress.
type loader struct {
	asRoot bool   // heatd runs as root: the root-safety rules apply unless turned off
	guard  *guard // the root-safety rules, once [daemon] says they apply; nil: they do not
	errs   Errors
	files  []string // names in reading order, which orders the errors
	unused Errors   // the key_unused warnings of the valid checks
	// prev are the memos of the configuration in force, and inForce gives
	// its checks as they run (memo.go); nil: nothing is reused.
	prev    *memoIndex
	inForce func(name string) (check.Spec, bool)
	base    []byte            // what every check is built over (memo.go's base); nil: no sums
	memos   memos             // this load's
	defined map[string]*scope // the checks by name, at their first definition
	// prevBase is the base of the configuration in force, and sameBase
	// whether this load's is the same.
	prevBase []byte
	sameBase bool
	// prevCut are the files the configuration in force cut into tables,
	// and cut this load's: a reload decodes them table by table
	// (decoded.go).
	prevCut, cut []string
	interned     map[string]string // judging.done's strings
	scratch      []byte            // textSum's
	judged       []byte            // judging's
	keys         []string          // a check's keys, sorted
}

func (l *loader) load(path string) *Config {
	main := l.read(path)
	if main == nil {
		return nil
	}
	l.topLevel(main)
	d, patterns := readDaemon(main, &l.errs)
	var warnings []string
	if !d.StrictPermissions {
		warnings = append(warnings, strictOff(main))
	} else if l.asRoot {
		l.guard = newGuard()
	}
	l.guard.configFile(main, &l.errs)
	l.guard.logDir(main, d.LogDir, &l.errs)
	defaults := readDefaults(main, &l.errs, l.guard)
	if b, ok := base(main, l.guard != nil); ok {
		l.base = b
		l.sameBase = l.prevBase != nil && bytes.Equal(b, l.prevBase)
	}
	tables := checkTables(main, &l.errs)
	for _, name := range l.included(main, patterns) {
		if src := l.read(name); src != nil {
			l.guard.configFile(src, &l.errs)
			l.onlyChecks(src)
			tables = append(tables, checkTables(src, &l.errs)...)
		}
	}
	checks := l.checks(tables, defaults, &d)
	dependencies(tables, l.defined)
	return &Config{Path: path, Daemon: d, Checks: checks, Warnings: warnings, Unused: l.unused, memos: l.memos, base: l.base, cut: l.cut}
}

// strictOff is the warning a configuration that turns root safety off
// gives at every load, wherever it is loaded: heatd -t run by anyone says
// what heatd run as root will do.
func strictOff(main *source) string {
	s := &scope{src: main, path: []string{"daemon"}, table: "daemon"}
	e := &Error{File: main.name, Line: s.keyLine("strict_permissions"), Table: "daemon", Key: "strict_permissions",
		Msg: "is false: heatd run as root accepts config files, scripts and pidfiles that other users could change"}
	return e.Error()
}

func (l *loader) read(name string) *source {
	l.files = append(l.files, name)
	var prev *memoIndex
	if l.prev != nil && len(l.prev.list) > 0 && slices.Contains(l.prevCut, name) {
		prev = l.prev
	}
	src, errs := read(name, prev)
	l.errs = append(l.errs, errs...)
	if src != nil && len(src.tables) > 0 {
		l.cut = append(l.cut, strings.Clone(name))
	}
	return src
}

// topLevel reports what the main file has besides [daemon], [defaults]
// and [check.NAME].
func (l *loader) topLevel(src *source) {
	known := []string{"daemon", "defaults", "check"}
	s := &scope{src: src, errs: &l.errs}
	for _, key := range s.keys(src.data) {
		if slices.Contains(known, key) {
			continue
		}
		if _, ok := src.data[key].(map[string]any); !ok {
			s.unknown(key, known, unknownHint(key, "the top level holds [daemon], [defaults] and [check.NAME] tables"))
			continue
		}
		msg := "is not known (the top level holds [daemon], [defaults] and [check.NAME] tables)"
		if best := suggestion(key, known); best != "" {
			msg = "is not known (did you mean [" + best + "]?)"
		}
		l.errs = append(l.errs, &Error{File: src.name, Line: s.keyLine(key), Table: key, Msg: msg})
	}
}

// onlyChecks reports what an included file has besides [check.NAME].
func (l *loader) onlyChecks(src *source) {
	const msg = "is not allowed in an included file, which holds only [check.NAME] tables"
	s := &scope{src: src, errs: &l.errs}
	for _, key := range s.keys(src.data) {
		switch _, table := src.data[key].(map[string]any); {
		case key == "check":
		case table:
			l.errs = append(l.errs, &Error{File: src.name, Line: s.keyLine(key), Table: key, Msg: msg})
		default:
			s.add(s.keyLine(key), key, msg)
		}
	}
}

// checks reads every check table, and reports the rules across checks: a
// name defined twice, a heat log shared.
func (l *loader) checks(tables []checkTable, defaults settings, d *Daemon) []check.Spec {
	first := make(map[string]*scope, len(tables))
	l.defined = first
	logOwner := make(map[string]*scope, len(tables))
	specs := make([]check.Spec, 0, len(tables))
	if l.base != nil {
		l.memos = make(memos, 0, len(tables))
	}
	var buf []byte
	for i := range tables {
		t := &tables[i]
		var m made
		m, buf = l.build(t, defaults, d, buf)
		spec, ok := m.spec, m.ok
		// Only a pidfile is read when sending: a pid is the config's own.
		spec.Target.Strict = l.guard != nil && spec.Target.Pidfile != ""
		name := t.s.check
		if prev, dup := first[name]; dup {
			t.s.add(t.s.line(), "", twice(prev.src.name, prev.line()))
			continue
		}
		first[name] = t.s
		if nameError(name) != "" || spec.HeatLog == "" {
			continue
		}
		if prev, shared := logOwner[spec.HeatLog]; shared {
			line := t.s.line()
			if _, own := t.get("heat_log"); own {
				line = t.s.keyLine("heat_log")
			}
			t.s.add(line, "heat_log", fmt.Sprintf("%q is also the heat log of check %q (%s:%d); give each check its own",
				spec.HeatLog, prev.check, prev.src.name, prev.line()))
			continue
		}
		logOwner[spec.HeatLog] = t.s
		if !ok {
			continue
		}
		specs = append(specs, spec)
		if m.reused {
			// Memos are kept only of checks without key_unused warnings.
			l.keep(t, m)
			continue
		}
		u := unused(*t, defaults)
		l.unused = append(l.unused, u...)
		if m.keyed && m.judgedOK && len(u) == 0 {
			l.keep(t, m)
		}
	}
	// Sorted through an index: a Spec is large, and ten thousand of them
	// are cheaper to place once than to swap about; and not at all when the
	// file has them in order already, as a generated one often does.
	byName := func(a, b check.Spec) int { return strings.Compare(a.Name, b.Name) }
	if slices.IsSortedFunc(specs, byName) {
		return specs
	}
	order := make([]int, len(specs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(specs[a].Name, specs[b].Name) })
	sorted := make([]check.Spec, len(specs))
	for i, k := range order {
		sorted[i] = specs[k]
	}
	return sorted
}

// made is a check as build gives it.
type made struct {
	spec   check.Spec
	ok     bool // valid
	keyed  bool // sum is its sum; false: it has none (memo.go)
	reused bool // taken as it runs, not read again
	sum    sum
	name   string // the configuration in force's copy of its name, when taken as it runs
	// judged are the files the next load judges again (memo.go's
	// judging); judgedOK is false when they are not known.
	judged   string
	judgedOK bool
}

// keep keeps the memo of the valid check t, made m, for the next load.
func (l *loader) keep(t *checkTable, m made) {
	// The name of a check read in full is its Spec's, a copy already
	// (detach.go).
	name := m.name
	if name == "" {
		name = m.spec.Name
	}
	l.memos = append(l.memos, memo{name: name, text: t.textSum(&l.scratch), built: m.sum, judged: m.judged})
}

// build is the check t: as it runs, when its sum is what the configuration
// in force had and the world still agrees (reuse), else read in full. buf
// is scratch space for the sums, returned for the next call.
func (l *loader) build(t *checkTable, defaults settings, d *Daemon, buf []byte) (made, []byte) {
	var m made
	var was memo
	known := false // the sum is the configuration in force's, was its memo
	switch {
	case l.base == nil:
	case t.kept && l.sameBase:
		// Its text in its file and everything it is built over are as
		// the configuration in force had them: so is its sum.
		if was, known = l.prev.find(t.s.check); known {
			m.sum, m.keyed = was.built, true
			break
		}
		fallthrough
	default:
		t.table()
		m.sum, buf, m.keyed = checkSum(l.base, *t, buf)
	}
	if m.keyed && !known {
		was, known = l.prev.find(t.s.check)
		known = known && was.built == m.sum
	}
	if known {
		m.spec, m.judged, m.reused = l.reuse(t, was)
		m.ok, m.judgedOK, m.name = m.reused, m.reused, was.name
	}
	if m.reused {
		if !t.decoded() {
			t.deps, t.taken = m.spec.DependsOn, true
		}
		return m, buf
	}
	t.table()
	var own settings
	m.spec, own, m.ok = readCheck(*t, defaults, d, l.guard)
	if m.ok && m.keyed {
		j := judging{l: l, src: t.s.src, spec: pathsOf(&m.spec), b: l.judged[:0]}
		l.keys = slices.AppendSeq(l.keys[:0], maps.Keys(own))
		slices.Sort(l.keys)
		for _, name := range l.keys {
			j.add(name, own[name].v, own[name].looked)
		}
		m.judged, m.judgedOK = j.done()
		l.judged = j.b
	}
	return m, buf
}

// sortErrors puts the errors in reading order: by file as read, then by
// line; errors on one line keep the order they were found in.
func (l *loader) sortErrors() {
	order := func(file string) int {
		if i := slices.Index(l.files, file); i >= 0 {
			return i
		}
		return len(l.files)
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(order(a.File), order(b.File)), cmp.Compare(a.Line, b.Line))
	})
}
