package action

// Environ builds a run's environment: base (heatd's own) less the variables
// that speak for heatd alone (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID,
// LISTEN_FDS, LISTEN_PID, JOURNAL_STREAM), then env, then HEAT_CHECK=check,
// then extra ("NAME=value" each). Later values win.
func Environ(base []string, env map[string]string, check string, extra ...string) []string {
	return nil
}
