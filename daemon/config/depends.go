package config

import (
	"fmt"
	"slices"
	"strings"
)

// dependsKeys is the row of depends_on: the checks a check depends on.
// It is a check's own (a [defaults] list would make every check depend
// on the same ones, those ones included).
func dependsKeys() []checkKey {
	return []checkKey{
		{name: "depends_on", doc: "names of the checks this one depends on, in any order; no cycles",
			value: field(plain(parseDependsOn), nil, func(b *built, v []string) { b.DependsOn = v })},
	}
}

// dependsWant is what a depends_on value looks like, for its messages.
const dependsWant = `must be an array of check names such as ["net", "db"]`

// parseDependsOn reads a list of check names. The list is a set: it is
// kept sorted, so that a reload that only reorders it leaves the check as
// it is (Spec.Equal), with its failure count and schedule, rather than
// restarting it for a change that changes nothing. A name given twice is
// a slip, and refused.
func parseDependsOn(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s, not %s", dependsWant, typeName(v))
	}
	names := make([]string, 0, len(list))
	for _, e := range list {
		name, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s, not an array holding %s", dependsWant, typeName(e))
		}
		if msg := nameError(name); msg != "" {
			return nil, fmt.Errorf("has %q, which %s", name, msg)
		}
		if slices.Contains(names, name) {
			return nil, fmt.Errorf("names %q twice; name each check once", name)
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, nil
	}
	slices.Sort(names)
	return names, nil
}

// dependencies reports the depends_on lists that cannot hold across the
// configuration's checks, each at the list of the check at fault: a name
// that is no check, the check itself, and every cycle, which would leave
// its checks blocked by each other for ever. tables are every check's
// table, in reading order, included files too; defined are the checks by
// name, at their first definition. Only the checks with a list are nodes
// of the walk: one without closes no cycle (ten thousand checks, a few
// hundred lists).
func dependencies(tables []checkTable, defined map[string]*scope) {
	type node struct {
		t       checkTable
		parents []string
	}
	nodes := make(map[string]*node)
	var order []string // the checks with a list, in reading order
	for _, t := range tables {
		name := t.s.check
		if defined[name] != t.s {
			continue
		}
		parents, given, err := t.dependsOn()
		if !given || err != nil {
			continue // none; or readCheck reported it
		}
		n := &node{t: t}
		nodes[name] = n
		order = append(order, name)
		// The list's line is looked up for an error only: a reload's
		// checks taken as they run are not scanned for lines (cutlines.go).
		at := func() int { return n.t.s.keyLine("depends_on") }
		for _, p := range parents {
			switch _, known := defined[p]; {
			case p == name:
				n.t.s.add(at(), "depends_on", fmt.Sprintf("names %q itself; a check cannot depend on itself", p))
			case !known:
				msg := fmt.Sprintf("names %q, which is not a check", p)
				if best := suggestion(p, definedOrder(tables, defined)); best != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", best)
				}
				n.t.s.add(at(), "depends_on", msg)
			default:
				n.parents = append(n.parents, p)
			}
		}
	}

	// A depth-first walk from each check in reading order: a parent still
	// on the walk's path closes a cycle, reported at that parent, the
	// cycle's first check reached, with the path from it.
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(order))
	var path []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = onPath
		path = append(path, name)
		for _, p := range nodes[name].parents {
			if nodes[p] == nil {
				continue // it has no list: a cycle does not pass it
			}
			switch state[p] {
			case unseen:
				visit(p)
			case onPath:
				cycle := append(slices.Clone(path[slices.Index(path, p):]), p)
				s := nodes[p].t.s
				s.add(s.keyLine("depends_on"), "depends_on", "makes a cycle: "+strings.Join(cycle, " -> "))
			}
		}
		path = path[:len(path)-1]
		state[name] = done
	}
	for _, name := range order {
		if state[name] == unseen {
			visit(name)
		}
	}
}

// definedOrder are the names of defined in reading order, for a
// suggestion.
func definedOrder(tables []checkTable, defined map[string]*scope) []string {
	var order []string
	for _, t := range tables {
		if defined[t.s.check] == t.s {
			order = append(order, t.s.check)
		}
	}
	return order
}
