package action

import (
	"context"
	"time"
)

// Script is one run of a fail or recovery script.
type Script struct {
	Kind    string // "fail" or "recovery", as the heat log names it
	Attempt int    // for a recovery: which run of the script in this streak
	Path    string
	Env     []string
	Dir     string
	Timeout time.Duration // script_timeout
	Log     HeatLog
}

// RunScript runs s with its stdout and stderr appended straight to s.Log
// (a file, never a pipe, so a daemon the script leaves running neither
// holds heatd up nor dies of SIGPIPE), between the lines
// "UNIX: recovery script started (attempt N)" (fail: "fail script started")
// and "UNIX: recovery script exited with code C". logErr reports a heat log
// that could not be written; the script runs all the same, its output then
// going to /dev/null.
func RunScript(ctx context.Context, s Script) (out Outcome, logErr error) {
	return Outcome{Start: time.Now(), StartErr: errUnimplemented}, errUnimplemented
}
