// Package action does what a check asks for when it runs or fails: it starts
// processes in groups of their own and ends them on timeout, sends signals to
// a check's target, runs fail and recovery scripts, and appends to a check's
// heat log.
package action
