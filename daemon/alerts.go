package daemon

import (
	"fmt"
	"strconv"

	"github.com/heatd/heatd/check"
	"github.com/heatd/heatd/daemon/alert"
	"github.com/heatd/heatd/daemon/config"
)

// alarmAlert ties a check's condition to the alert that follows it: the
// bit turning on fires the alert, turning off resolves it.
type alarmAlert struct {
	bit   check.Alarms
	alert alert.Alert
	says  string // the summary's words, the check's quoted name in %q
}

// alarmAlerts are the alerts of the README's table, one row each; never
// changed. Giving up ends a recovery, so HeatdRecoveryGaveUp firing comes
// with HeatdCheckRecovering resolving (the check's alarms say so).
var alarmAlerts = [...]alarmAlert{
	{check.AlarmRecovering, alert.CheckRecovering, "check %q is recovering"},
	{check.AlarmGaveUp, alert.RecoveryGaveUp, "heatd gave up recovering check %q"},
	{check.AlarmFlapping, alert.CheckFlapping, "check %q is flapping"},
}

// alertConfig is the alert sender's part of [daemon].
func alertConfig(d config.Daemon) alert.Config {
	return alert.Config{URLs: d.Alertmanager, Labels: d.AlertLabels, Resend: d.AlertResend}
}

// alarmsToAlerts is the engine's alarm listener: each bit that turns on
// fires its alert with the latest run's code and output, each that turns
// off resolves it. It never waits: the sender only takes note.
func alarmsToAlerts(s *alert.Sender) check.AlarmFunc {
	return func(name string, from, to check.Alarms, last check.Result) {
		paused := to&check.AlarmPaused != 0
		for _, a := range alarmAlerts {
			on, was := to&a.bit != 0, from&a.bit != 0
			switch {
			case on && !was:
				// A paused check fires nothing new; what fired
				// before its pause goes on until it resolves.
				s.Fire(a.alert, name, annotations(a, name, last), paused)
			case was && !on:
				s.Resolve(a.alert, name)
			}
		}
	}
}

// annotations are what alert a says of check name, from its latest run:
// a one-line summary (`check "web" is recovering: exit code 7`), the exit
// code and stderr's first line.
func annotations(a alarmAlert, name string, last check.Result) alert.Annotations {
	ann := alert.Annotations{ExitCode: last.Code, Output: string(last.Output)}
	outcome := "exit code " + strconv.Itoa(last.Code)
	switch {
	case last.Start.IsZero():
		ann.ExitCode, outcome = alert.NoExitCode, ""
	case last.Err != nil:
		ann.ExitCode, outcome = alert.NoExitCode, "cannot run: "+last.Err.Error()
	case last.Code == 0:
		outcome = "the last run was ok"
	case last.Reason != "":
		outcome += " (" + last.Reason + ")"
	case last.TimedOut:
		outcome += " (timed out)"
	}
	ann.Summary = fmt.Sprintf(a.says, name)
	if outcome != "" {
		ann.Summary += ": " + outcome
	}
	return ann
}
