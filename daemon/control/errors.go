package control

import (
	"errors"
	"syscall"
)

// Reason says why no heatd answered.
type Reason int

// The ways a heatd can fail to answer.
const (
	// OtherReason: a failure the client has no name for; Err says it.
	OtherReason Reason = iota
	// Missing: there is no socket at the path (heatd is not running, or
	// it uses another socket).
	Missing
	// Refused: a socket is there but nothing listens on it (heatd is not
	// running, or this socket is not the one it serves).
	Refused
	// Denied: the socket is there, but this user may not use it.
	Denied
	// NoAnswer: heatd took the connection but did not answer in time.
	NoAnswer
	// HungUp: heatd closed the connection without answering (it was
	// stopping, or it is not heatd on the socket).
	HungUp
)

// String is the reason, as a message ends with it.
func (r Reason) String() string {
	switch r {
	case Missing:
		return "the socket does not exist"
	case Refused:
		return "connection refused (nothing listens on the socket)"
	case Denied:
		return "permission denied"
	case NoAnswer:
		return "no answer in time"
	case HungUp:
		return "the connection closed without an answer"
	}
	return "cannot connect"
}

// UnreachableError is a request that no heatd answered.
type UnreachableError struct {
	Socket string
	Reason Reason
	Err    error // the system's own error
}

// Error says which socket and why: "no heatd answers on
// /run/heatd/heatd.sock: the socket does not exist".
func (e *UnreachableError) Error() string {
	msg := "no heatd answers on " + e.Socket + ": " + e.Reason.String()
	if e.Reason == OtherReason && e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap is the system's error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// dialReason names why connecting to the socket failed.
func dialReason(err error) Reason {
	switch {
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENOTDIR):
		return Missing
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return Denied
	}
	return OtherReason
}

// AnswerError is heatd's answer when it is an error: a name no check has,
// a request heatd does not know, a reload that got no verdict.
type AnswerError struct {
	Code    int      // the HTTP status
	Message string   // heatd's sentence
	Unknown []string // names asked for that no check has
}

// Error is heatd's sentence.
func (e *AnswerError) Error() string { return e.Message }
