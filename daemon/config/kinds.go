package config

import "slices"

// kindKeys are the keys of the kinds of check, in the order messages and the
// README name them. A kind is a file of its own (kind_*.go) that brings the
// key that chooses it, whose name is its kind and which a check has exactly
// one of, and the keys of that kind alone; and one line here.
func kindKeys() []checkKey {
	return slices.Concat(commandKeys(), scriptKeys(), httpKeys(), tcpKeys(), processKeys())
}
