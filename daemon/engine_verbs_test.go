package daemon

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/state"
)

// A pause reaches the check's name in the store, its event carries the
// caller, the reason and the end, and the heat log says who and why; a
// resume undoes it. A verb with a name no check has does nothing, and
// names the check it most likely meant.
func TestEnginePauseResume(t *testing.T) {
	dir := t.TempDir()
	core, logs := observer.New(zapcore.InfoLevel)
	log := zap.New(core)
	e := NewEngine(log, nil)
	store := state.Open(filepath.Join(dir, "state.json"), false, log)
	e.Remember(store)
	defer store.Close()
	defer e.Stop(time.Second)
	e.Apply([]check.Spec{spec(dir, "web", "true", time.Hour), spec(dir, "db", "true", time.Hour)}, Settings{Grace: time.Second})

	var u *check.UnknownError
	_, err := e.Pause([]string{"web", "wbe"}, check.Pause{Since: time.Now(), UID: 0})
	if !errors.As(err, &u) || err.Error() != `no check named "wbe" (did you mean "web"?)` {
		t.Errorf("pause of an unknown name: %v", err)
	}
	if store.Check("web").Pause != nil {
		t.Error("a pause with an unknown name paused the known one")
	}

	now := time.Now()
	until := now.Add(time.Hour)
	done, err := e.Pause([]string{"web"}, check.Pause{Since: now, Until: until, Reason: "deploy 4.2", UID: 1000})
	if err != nil || !slices.Equal(done, []string{"web"}) {
		t.Fatalf("pause web: %v, %v", done, err)
	}
	p := store.Check("web").Pause
	if p == nil || p.UID != 1000 || p.Reason != "deploy 4.2" || !p.Until.Equal(until) {
		t.Errorf("the store keeps %+v", p)
	}
	ev := logs.FilterMessage("check_paused").All()
	if len(ev) != 1 || ev[0].ContextMap()["check"] != "web" || ev[0].ContextMap()["uid"] != int64(1000) ||
		ev[0].ContextMap()["reason"] != "deploy 4.2" || !ev[0].ContextMap()["until"].(time.Time).Equal(until) {
		t.Errorf("check_paused events: %+v", ev)
	}
	heat, _ := os.ReadFile(filepath.Join(dir, "web.log"))
	if want := "paused by uid 1000 until " + until.UTC().Format(time.RFC3339) + ": deploy 4.2\n"; !strings.HasSuffix(string(heat), want) {
		t.Errorf("heat log %q, want it to end with %q", heat, want)
	}

	done, err = e.Resume(nil, 0)
	if err != nil || !slices.Equal(done, []string{"db", "web"}) {
		t.Errorf("resume --all: %v, %v", done, err)
	}
	if store.Check("web").Pause != nil {
		t.Error("resumed, and the store keeps the pause")
	}
	// Taken between steps: at once when idle, after the first run if it
	// is under way still.
	waitFor(t, "check_resumed", func() bool { return logs.FilterMessage("check_resumed").Len() > 0 })
	time.Sleep(50 * time.Millisecond) // room for a second one, which must not come
	ev = logs.FilterMessage("check_resumed").All()
	if len(ev) != 1 || ev[0].ContextMap()["check"] != "web" || ev[0].ContextMap()["uid"] != int64(0) {
		t.Errorf("check_resumed events (db was not paused): %+v", ev)
	}
	heat, _ = os.ReadFile(filepath.Join(dir, "web.log"))
	if !strings.HasSuffix(string(heat), ": resumed by uid 0\n") {
		t.Errorf("heat log %q", heat)
	}
}

// A pause --for ends by itself at its end to the nanosecond, across a
// reload that changes the check; one that ended while heatd was down ends
// at start.
func TestPauseForEndsByItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		core, logs := observer.New(zapcore.InfoLevel)
		log := zap.New(core)
		path := filepath.Join(dir, "state.json")
		store := state.Open(path, false, log)
		e := NewEngine(log, nil)
		e.Remember(store)
		set := Settings{Grace: time.Second}
		e.Apply([]check.Spec{beatSpec(dir, "job", time.Hour, time.Minute), beatSpec(dir, "other", time.Hour, time.Minute)}, set)

		start := time.Now()
		if _, err := e.Pause([]string{"job", "other"}, check.Pause{Since: start, Until: start.Add(30 * time.Minute), UID: 0}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Minute)
		// A reload that changes the check keeps its pause, and its end.
		e.Apply([]check.Spec{beatSpec(dir, "job", time.Hour, 2*time.Minute), beatSpec(dir, "other", time.Hour, time.Minute)}, set)
		time.Sleep(20*time.Minute - time.Nanosecond)
		synctest.Wait()
		if store.Check("job").Pause == nil || logs.FilterMessage("check_resumed").Len() != 0 {
			t.Fatal("the pause ended before its end")
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if store.Check("job").Pause != nil {
			t.Error("the pause outlived its end")
		}
		ev := logs.FilterMessage("check_resumed").All()
		if len(ev) != 2 || ev[0].ContextMap()["expired"] != true {
			t.Errorf("check_resumed: %+v", ev)
		}

		// Paused for an hour, then heatd stops for two.
		if _, err := e.Pause([]string{"job"}, check.Pause{Since: time.Now(), Until: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		e.Stop(time.Second)
		store.Close()
		time.Sleep(2 * time.Hour)
		store = state.Open(path, false, log)
		defer store.Close()
		if store.Check("job").Pause == nil {
			t.Fatal("the state file lost the pause")
		}
		e = NewEngine(log, nil)
		e.Remember(store)
		defer e.Stop(time.Second)
		e.Apply([]check.Spec{beatSpec(dir, "job", time.Hour, time.Minute)}, set)
		synctest.Wait()
		if store.Check("job").Pause != nil || logs.FilterMessage("check_resumed").Len() != 3 {
			t.Error("a pause that ended while heatd was down is still in force")
		}
	})
}

// A check starts as heatd left it, gave_up with its attempts, unless its
// settings changed meanwhile: then it starts afresh, as after a reload
// that changes it. Its pause stays either way.
func TestRestartKeepsGaveUpOfAnUnchangedCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	kept, changed := spec(dir, "kept", "exit 1", time.Hour), spec(dir, "changed", "exit 1", time.Hour)
	for _, s := range []*check.Spec{&kept, &changed} {
		s.Threshold, s.Recovery, s.RecoveryLimit, s.RecoveryLimitWindow = 1, "/bin/true", 1, time.Hour
	}
	before := time.Now().Add(-time.Minute)
	store := state.Open(path, false, zap.NewNop())
	store.Update("kept", func(en *state.Entry) {
		en.GaveUp, en.Attempts, en.Settings = before, []time.Time{before}, settingsOf(&kept)
	})
	old := changed
	old.Interval = time.Minute
	store.Update("changed", func(en *state.Entry) {
		en.GaveUp, en.Attempts, en.Settings = before, []time.Time{before}, settingsOf(&old)
		en.Pause = &state.Pause{Since: before, Reason: "r"}
	})
	store.Close()

	store = state.Open(path, false, zap.NewNop())
	defer store.Close()
	e := NewEngine(zap.NewNop(), nil)
	e.Remember(store)
	defer e.Stop(time.Second)
	e.Apply([]check.Spec{kept, changed}, Settings{Grace: time.Second})
	if st := status(e, "kept"); st.State.Mode != check.GivenUp {
		t.Errorf("kept: %s, want gave_up", st.State.Mode)
	}
	if st := status(e, "changed"); st.State.Mode == check.GivenUp || st.Health() != check.Paused {
		t.Errorf("changed while heatd was down: %s, %s; want paused, not given up", st.State.Mode, st.Health())
	}
}
