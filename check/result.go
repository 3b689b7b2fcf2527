package check

// FirstLine is the first line of the run's stderr, bounded as events
// carry it (check_failed's output).
func (r *Result) FirstLine() string { return firstLine(r.Output) }

// Outcome names the run's result as the status and the control socket
// do: "ok", "failed", "timeout" (a failure too) or "run_error".
func (r *Result) Outcome() string {
	switch {
	case r.Err != nil:
		return "run_error"
	case r.Code == 0:
		return "ok"
	case r.TimedOut:
		return "timeout"
	}
	return "failed"
}
