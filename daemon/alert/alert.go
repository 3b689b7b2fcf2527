// Package alert tells the fleet's Alertmanager what heatd's checks are going
// through: a check in recovery, a recovery given up, a check flapping. It
// keeps the alerts that are firing, posts them to Alertmanager's API v2 and
// posts them again every resend period, as Alertmanager expects of its
// clients, and never makes the caller wait for the network.
package alert

import "strings"

// Alert is one of the alerts heatd raises; it carries its name and severity.
type Alert int

// The alerts heatd raises, one row each of the README's alert table.
const (
	// CheckRecovering fires when a check enters recovery and resolves when
	// it recovers.
	CheckRecovering Alert = iota
	// RecoveryGaveUp fires when heatd gives up on a check and resolves when
	// the check leaves gave_up.
	RecoveryGaveUp
	// CheckFlapping fires when flapping starts and resolves when it stops.
	CheckFlapping
)

// Name is the alert's alertname label.
func (a Alert) Name() string {
	switch a {
	case CheckRecovering:
		return "HeatdCheckRecovering"
	case RecoveryGaveUp:
		return "HeatdRecoveryGaveUp"
	case CheckFlapping:
		return "HeatdCheckFlapping"
	}
	return "HeatdUnknown"
}

// Severity is the alert's severity label: critical when heatd has stopped
// trying, warning while it is still at work.
func (a Alert) Severity() string {
	if a == RecoveryGaveUp {
		return "critical"
	}
	return "warning"
}

// summary is the summary annotation when the caller gives none.
func (a Alert) summary(check string) string {
	switch a {
	case CheckRecovering:
		return "check " + check + " is in recovery"
	case RecoveryGaveUp:
		return "heatd gave up recovering check " + check
	case CheckFlapping:
		return "check " + check + " is flapping"
	}
	return "check " + check
}

// NoExitCode is the ExitCode of an alert with no run's code to show; the
// exit_code annotation is then left out.
const NoExitCode = -1

// maxOutput bounds the output annotation: it is one line for a person to
// read in a notification, and a script that writes a megabyte on one line
// must not make every post a megabyte.
const maxOutput = 512

// Annotations are what an alert says beyond its labels.
type Annotations struct {
	// Summary is a sentence for a person; empty means the alert's own.
	Summary string
	// ExitCode is the last run's exit code, or NoExitCode.
	ExitCode int
	// Output is the last run's stderr; only its first line is sent.
	Output string
}

// firstLine is s up to its first newline, bounded by maxOutput bytes
// without splitting a UTF-8 character.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) <= maxOutput {
		return s
	}
	cut := maxOutput
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}
