package daemon

import (
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

// Spec gives each check as it runs, which Apply then keeps; a removed
// check is not running.
func TestSpecIsTheCheckAsItRuns(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(zap.NewNop(), nil)
	defer e.Stop(time.Second)
	a, b := spec(dir, "a", "true", time.Hour), spec(dir, "b", "true", time.Hour)
	e.Apply([]check.Spec{a, b}, Settings{Grace: time.Second})
	got, ok := e.Spec("a")
	if !ok || !got.Equal(&a) {
		t.Fatalf("Spec(a) = %+v, %v; want %+v", got, ok, a)
	}
	if ch := e.Apply([]check.Spec{got}, Settings{Grace: time.Second}); len(ch.Kept) != 1 || len(ch.Removed) != 1 {
		t.Errorf("change %+v; want a kept and b removed", ch)
	}
	if _, ok := e.Spec("b"); ok {
		t.Error("Spec(b) after b was removed")
	}
}
