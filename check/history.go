package check

import (
	"strconv"
	"time"
)

// A check's heat log is its history, readable without the journal: a line
// of heatd's own before each failed run's output, and a line at each turn
// of its recovery. The lines are plain words after "UNIX: ", so that grep
// and awk read them as easily as a person does.

// failedLine is the line before a failed run's stderr: "failed: exit code
// N", with the reason in parentheses where heatd knows it ("timed out after
// 30s", "killed by signal 9", a probe's reason). timeout is the check's.
func failedLine(r Result, timeout time.Duration) string {
	line := "failed: exit code " + strconv.Itoa(r.Code)
	reason := r.Reason
	if r.TimedOut && timeout > 0 {
		reason = "timed out after " + timeout.String()
	}
	if reason == "" {
		return line
	}
	return line + " (" + reason + ")"
}

// verifiedLine is the line of a recovery verified by an ok run.
func verifiedLine(attempt int) string {
	return "recovery verified (attempt " + strconv.Itoa(attempt) + ")"
}

// recoveryFailedLine is the line of a recovery attempt after which no
// verification run was ok.
func recoveryFailedLine(attempt int) string {
	return "recovery failed (attempt " + strconv.Itoa(attempt) + "): no verification run was ok"
}
