// Package config reads heatd's TOML configuration: the [daemon] table,
// [defaults] and one [check.NAME] table per check, from the main file and
// the files it includes. It reports every mistake at once, each naming the
// file, the line, the check and the key.
package config

import (
	"time"

	"github.com/heatd/heatd/check"
)

// Config is a loaded, valid configuration.
type Config struct {
	Path   string // the main file, as given
	Daemon Daemon
	Checks []check.Spec // sorted by name
	// Warnings are what is valid but unwise, one line each, formatted as an
	// Error is: strict_permissions = false gives one at every load.
	Warnings []string
	// Unused are the keys written in a check's own table where they can
	// have no effect (recovery_timeout without threshold): the warning
	// key_unused, one each, in file order.
	Unused Errors
	// memos, base and cut are what LoadAfter needs of this configuration
	// when it is the one in force: a memo of each check it can take as it
	// runs (memo.go), what every check is built over, and the files that
	// were cut into tables (decoded.go).
	memos memos
	base  []byte
	cut   []string
}

// Daemon is the [daemon] table, defaults applied and paths resolved.
//
// StrictPermissions switches the root-safety rules which Load applies when heatd runs as root; it then also sets
// Target.Strict on each check that signals through a pidfile.
type Daemon struct {
	LogDir            string
	LogLevel          string // debug | info | warn | error
	LogFormat         string // json | console
	ShutdownGrace     time.Duration
	ControlSocket     string
	StateFile         string   // "": none
	MetricsListen     string   // empty: off
	Include           []string // glob patterns, made absolute
	Splay             time.Duration
	MaxParallel       int // 0: automatic
	StrictPermissions bool
	Alertmanager      []string          // URLs; none: alerting is off
	AlertLabels       map[string]string // added to every alert
	AlertResend       time.Duration
}
