package control

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/heatd/heatd/check"
)

// beatPath heads the path of a beat: /v1/beat/NAME.
const beatPath = "/v1/beat/"

// maxBeatBody bounds a beat's body: a code and a message of a line or
// two; heatd keeps 1 KiB of the message.
const maxBeatBody = 8 << 10

// beat answers POST /v1/beat/NAME: the job's report goes to the heartbeat
// check name. It needs only access to the socket, as status does: a cron
// job that reports in runs as whatever user its job needs.
func (s *Server) beat(w http.ResponseWriter, r *http.Request, name string) {
	var req BeatRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBeatBody))
	switch {
	case err != nil:
		writeJSON(w, http.StatusRequestEntityTooLarge, ErrorReply{Error: "a beat's body is a few lines at most: " + err.Error()})
		return
	case len(body) > 0:
		if err := json.Unmarshal(body, &req); err != nil {
			writeJSON(w, http.StatusBadRequest, ErrorReply{Error: "a beat's body is not a BeatRequest: " + err.Error()})
			return
		}
	}
	err = s.src.Beat(name, check.Beat{Code: req.FailCode, Message: req.Message})
	var nh *check.NoHeartbeatError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, BeatReply{Check: name})
	case errors.As(err, &nh):
		reply := ErrorReply{Error: err.Error()}
		if !nh.Exists {
			reply.Unknown = []string{name}
		}
		writeJSON(w, http.StatusNotFound, reply)
	default:
		writeJSON(w, http.StatusBadRequest, ErrorReply{Error: err.Error()})
	}
}
