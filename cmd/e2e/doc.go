// Package e2e tests heatd and heat as built binaries, with real scripts,
// real processes and real signals.
package e2e
