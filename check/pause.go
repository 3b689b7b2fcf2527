package check

import "time"

// Pause is an operator's pause of a check (heatctl pause): the check goes
// on running and reporting, and takes no step.
type Pause struct {
	Since time.Time
	// Until is when the pause ends by itself; zero: only at a resume.
	Until  time.Time
	Reason string
	// UID is the user who paused the check, as the control socket saw
	// the caller.
	UID int
}
