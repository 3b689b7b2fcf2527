package daemon

import (
	"maps"
	"testing"
	"time"
)

func TestSameSpec(t *testing.T) {
	a := spec(t.TempDir(), "a", "true", time.Hour)
	a.Env = map[string]string{"X": "1"}
	copied := a
	if !sameSpec(&a, &copied) {
		t.Error("a copy is not the same")
	}
	equal := a
	equal.Env = maps.Clone(a.Env)
	equal.Name = string([]byte(a.Name))
	if !sameSpec(&a, &equal) {
		t.Error("equal settings in other memory are not the same")
	}
	changed := a
	changed.Timeout++
	if sameSpec(&a, &changed) {
		t.Error("a changed timeout is the same")
	}
	changed = a
	changed.Env = map[string]string{"X": "2"}
	if sameSpec(&a, &changed) {
		t.Error("a changed environment is the same")
	}
}

func BenchmarkSameSpec(b *testing.B) {
	a := spec(b.TempDir(), "a", "true", time.Hour)
	a.Env = map[string]string{"X": "1"}
	c := a
	b.Run("copy", func(b *testing.B) {
		for b.Loop() {
			sameSpec(&a, &c)
		}
	})
	b.Run("Equal", func(b *testing.B) {
		for b.Loop() {
			a.Equal(&c)
		}
	})
}
