package control

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/heatd/heatd/check"
)

// The verbs that change what heatd does: pause, resume and run. Each needs
// an operator (peer.go), and each answers at once (run: once its run is
// done), never behind a lock that a running check holds.

// pausePath, resumePath and runPath are the verbs' paths.
const (
	pausePath  = "/v1/pause"
	resumePath = "/v1/resume"
	runPath    = "/v1/run/"
)

// maxVerbBody bounds a verb's body: names and a reason. Ten thousand long
// names fit.
const maxVerbBody = 4 << 20

// maxRunWait bounds how long a run's answer may take: the run under way
// may be in a recovery (script_timeout, 5 minutes by default) before the
// one asked for starts and takes its own timeout.
const maxRunWait = 15 * time.Minute

// maxPause is the longest --for taken: a pause for longer is one to end
// with a resume, and a duration this long cannot overflow a time.
const maxPause = 100 * 365 * 24 * time.Hour

// readBody decodes r's JSON body into v, answering 400 when it cannot.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxVerbBody))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ErrorReply{Error: "a bad request: " + err.Error()})
		return false
	}
	return true
}

// checkNames is the names a request gives, nil for all, or false (answered
// 400) when it gives both or neither.
func checkNames(w http.ResponseWriter, checks []string, all bool) ([]string, bool) {
	switch {
	case all && len(checks) > 0:
		writeJSON(w, http.StatusBadRequest, ErrorReply{Error: "name checks, or ask for all of them, not both"})
		return nil, false
	case !all && len(checks) == 0:
		writeJSON(w, http.StatusBadRequest, ErrorReply{Error: "no check named: name checks, or ask for all of them"})
		return nil, false
	case all:
		return nil, true
	}
	return checks, true
}

// pause answers POST /v1/pause.
func (s *Server) pause(w http.ResponseWriter, r *http.Request) {
	uid, ok := s.operator(w, r, "pause")
	if !ok {
		return
	}
	var req PauseRequest
	if !readBody(w, r, &req) {
		return
	}
	list, ok := checkNames(w, req.Checks, req.All)
	if !ok {
		return
	}
	if math.IsNaN(req.ForSeconds) || req.ForSeconds < 0 || req.ForSeconds*float64(time.Second) > float64(maxPause) {
		writeJSON(w, http.StatusBadRequest, ErrorReply{Error: "a pause's duration must be positive and less than 100 years"})
		return
	}
	p := check.Pause{Since: time.Now(), Reason: req.Reason, UID: uid}
	if d := time.Duration(req.ForSeconds * float64(time.Second)); d > 0 {
		p.Until = p.Since.Add(d)
	}
	done, err := s.src.Pause(list, p)
	if refused(w, err) {
		return
	}
	reply := PauseReply{Checks: nonNil(done), Until: timeOrNull(p.Until)}
	writeJSON(w, http.StatusOK, reply)
}

// resume answers POST /v1/resume.
func (s *Server) resume(w http.ResponseWriter, r *http.Request) {
	uid, ok := s.operator(w, r, "resume")
	if !ok {
		return
	}
	var req ResumeRequest
	if !readBody(w, r, &req) {
		return
	}
	list, ok := checkNames(w, req.Checks, req.All)
	if !ok {
		return
	}
	done, err := s.src.Resume(list, uid)
	if refused(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, ResumeReply{Checks: nonNil(done)})
}

// run answers POST /v1/run/NAME once the run is done.
func (s *Server) run(w http.ResponseWriter, r *http.Request, name string) {
	if _, ok := s.operator(w, r, "run"); !ok {
		return
	}
	// The server's write deadline is a status's; a run may wait for the
	// run under way first.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(maxRunWait)) //nolint:errcheck // the default deadline then holds
	res, err := s.src.Run(r.Context(), name)
	if refused(w, err) {
		return
	}
	reply := RunReply{Check: name, Result: res.Outcome(), ExitCode: res.Code, Output: res.FirstLine()}
	if res.Err != nil {
		reply.Error = res.Err.Error()
	}
	writeJSON(w, http.StatusOK, reply)
}

// refused answers a verb that was not done: 404 naming the checks when
// err is names no check has, 503 otherwise (heatd is stopping, or the
// client gave up first). It reports whether err was one.
func refused(w http.ResponseWriter, err error) bool {
	var u *check.UnknownError
	switch {
	case err == nil:
		return false
	case errors.As(err, &u):
		writeJSON(w, http.StatusNotFound, ErrorReply{Error: u.Error(), Unknown: slices.Clone(u.Names)})
	default:
		writeJSON(w, http.StatusServiceUnavailable, ErrorReply{Error: "not done: " + err.Error()})
	}
	return true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
