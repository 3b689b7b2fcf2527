package check

import (
	"fmt"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// What the loop does for the bounds of remediation (SPEC 12): their events,
// their heat log lines. heatctl resume is loop_control.go's.

// starting marks a check_failed event of a run during the start period.
func starting(st State) zap.Field {
	if !st.Starting {
		return zap.Skip()
	}
	return zap.Bool("starting", true)
}

// recovered reports, at the run of time unix, a verified recovery, or the end of a gave_up by the
// check's own ok runs, which is not counted as a recovery: heatd did not
// fix it.
func (c *Check) recovered(prev *State, unix int64) {
	if prev.Mode == GivenUp {
		c.events().Info("recovered", zap.Int("attempts", prev.Attempt), zap.Bool("after_giving_up", true))
		c.history(unix, "ok again after giving up")
		return
	}
	c.events().Info("recovered", zap.Int("attempts", prev.Attempt))
	c.history(unix, verifiedLine(prev.Attempt))
	c.mu.Lock()
	c.status.Recoveries++
	c.mu.Unlock()
}

// gaveUp reports that recovery_limit stopped the next attempt.
func (c *Check) gaveUp(st *State) {
	now := time.Now()
	attempts := st.Recent.Within(now, c.policy().LimitWindow)
	c.events().Error("recovery_gave_up", zap.Int("attempts", attempts),
		zap.Duration("window", c.policy().LimitWindow), zap.Int("consecutive_failures", st.Streak))
	plural := "s"
	if attempts == 1 {
		plural = ""
	}
	c.history(now.Unix(), fmt.Sprintf("gave up after %d recovery attempt%s within %s: no more until the check is ok "+
		"by itself, heatctl resume, or a changed check", attempts, plural, c.policy().LimitWindow))
}

// flapping reports that flapping started or stopped at run r.
func (c *Check) flapping(kind StepKind, st *State, r *Result) {
	score := FlapScore(*st)
	text := strconv.FormatFloat(score, 'f', 1, 64) + "%"
	if kind == StepFlappingStarted {
		c.events().Warn("flapping_started", zap.Float64("score", score), zap.Int("flap_high", c.policy().FlapHigh),
			zap.Int("consecutive_failures", st.Streak))
		c.history(r.Unix, "flapping started (score "+text+"): no action until it stops")
		return
	}
	c.events().Info("flapping_stopped", zap.Float64("score", score), zap.Int("flap_low", c.policy().FlapLow),
		zap.Int("consecutive_failures", st.Streak))
	c.history(r.Unix, "flapping stopped (score "+text+")")
}
