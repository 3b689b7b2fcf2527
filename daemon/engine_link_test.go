package daemon

import (
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// A reload relinks what it changed: a kept check follows the parent that
// replaced its own, a check that replaced another is told of its kept
// parent's health, and a kept parent of a removed check no longer tells
// it; the checks the reload left alone stay linked as they were.
func TestApplyRelinksWhatChanged(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	set := Settings{Grace: time.Second}
	child := func(name, parent, command string) check.Spec {
		s := spec(dir, name, command, time.Hour)
		s.DependsOn = []string{parent}
		return s
	}
	other := child("other", "q", "true")
	q := spec(dir, "q", "false", 50*time.Millisecond)
	e.Apply([]check.Spec{spec(dir, "p", "true", time.Hour), child("c", "p", "true"), q, other}, set)
	waitFor(t, "other blocked by q", func() bool { return status(e, "other").BlockedBy == "q" })
	if got := status(e, "c").BlockedBy; got != "" {
		t.Fatalf("c blocked by %q while p is healthy", got)
	}

	// p replaced by a failing p: the kept c is blocked by the new one.
	e.Apply([]check.Spec{spec(dir, "p", "false", 50*time.Millisecond), child("c", "p", "true"), q, other}, set)
	waitFor(t, "c blocked by the new p", func() bool { return status(e, "c").BlockedBy == "p" })

	// c replaced: the new c is blocked by the kept, failing p at once.
	ch := e.Apply([]check.Spec{spec(dir, "p", "false", 50*time.Millisecond), child("c", "p", "true; true"), q, other}, set)
	if len(ch.Changed) != 1 || ch.Changed[0] != "c" {
		t.Fatalf("changed %q, want c", ch.Changed)
	}
	if got := status(e, "c").BlockedBy; got != "p" {
		t.Errorf("the new c is blocked by %q, want p", got)
	}
	// other, left alone, is still blocked by q.
	if got := status(e, "other").BlockedBy; got != "q" {
		t.Errorf("other is blocked by %q, want q", got)
	}
}
