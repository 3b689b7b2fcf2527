package check

import (
	"slices"
	"testing"
)

// The names are what the status JSON and heatd_check_state's label say:
// documented, so they never change.
func TestHealthNames(t *testing.T) {
	var got []string
	for _, h := range Healths() {
		got = append(got, h.String())
	}
	if want := []string{"healthy", "failing", "recovering", "starting", "flapping", "gave_up", "paused", "blocked"}; !slices.Equal(got, want) {
		t.Errorf("health names %v, want %v", got, want)
	}
	if got := (FailScript.String() + " " + RecoveryScript.String()); got != "fail recovery" {
		t.Errorf("script kinds %q", got)
	}
}

func TestHealthOf(t *testing.T) {
	for _, c := range []struct {
		st   State
		want Health
	}{
		{State{}, Healthy},
		{State{Streak: 2}, Failing},
		{State{Mode: RecoveryDue, Streak: 3}, Recovering},
		{State{Mode: Verifying, Streak: 3}, Recovering},
		{State{Mode: BackingOff, Streak: 3}, Recovering},
		{State{Starting: true}, Starting},
		// SPEC 8's order: paused, gave_up, blocked, flapping, recovering,
		// failing, starting.
		{State{Starting: true, Streak: 1}, Failing},
		{State{Mode: Verifying, Streak: 3, Flapping: true}, Flapping},
		{State{Streak: 3, Flapping: true}, Flapping},
		{State{Mode: GivenUp, Streak: 3, Flapping: true}, GaveUp},
		{State{Mode: GivenUp, Streak: 3, Blocked: true}, GaveUp},
		{State{Mode: GivenUp, Paused: true}, Paused},
		{State{Streak: 3, Paused: true, Blocked: true, Flapping: true}, Paused},
		{State{Streak: 3, Blocked: true, Flapping: true}, Blocked},
		{State{Blocked: true}, Blocked},
	} {
		if got := healthOf(c.st); got != c.want {
			t.Errorf("%+v: %s, want %s", c.st, got, c.want)
		}
	}
}
