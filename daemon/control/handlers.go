package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// route dispatches a request by path, then by method, every answer JSON.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		writeJSON(w, http.StatusServiceUnavailable, ErrorReply{Error: "heatd is closing this control socket"})
		return
	}
	defer s.handlers.Done()
	switch r.URL.Path {
	case "/v1/status":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			notAllowed(w, r, "GET")
			return
		}
		s.status(w, r)
	case "/v1/reload":
		if r.Method != http.MethodPost {
			notAllowed(w, r, "POST")
			return
		}
		if _, ok := s.operator(w, r, "reload"); ok {
			s.reload(w, r)
		}
	case pausePath, resumePath:
		if r.Method != http.MethodPost {
			notAllowed(w, r, "POST")
			return
		}
		if r.URL.Path == pausePath {
			s.pause(w, r)
		} else {
			s.resume(w, r)
		}
	default:
		if name, ok := strings.CutPrefix(r.URL.Path, runPath); ok {
			if r.Method != http.MethodPost {
				notAllowed(w, r, "POST")
				return
			}
			s.run(w, r, name)
			return
		}
		if name, ok := strings.CutPrefix(r.URL.Path, beatPath); ok {
			if r.Method != http.MethodPost {
				notAllowed(w, r, "POST")
				return
			}
			s.beat(w, r, name)
			return
		}
		writeJSON(w, http.StatusNotFound, ErrorReply{Error: "no such endpoint: " + r.URL.Path})
	}
}

// status answers GET /v1/status: every check, or those named by the name
// parameters; 404 when any name is no check's.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	names := r.URL.Query()["name"]
	found := make(map[string]bool, len(names)) // by name asked for
	for _, n := range names {
		found[n] = false
	}
	all := s.src.Statuses()
	reply := StatusReply{Checks: make([]CheckStatus, 0, len(all))}
	for i := range all {
		st := &all[i]
		if len(names) > 0 {
			if _, asked := found[st.Name]; !asked {
				continue
			}
			found[st.Name] = true
		}
		reply.Checks = append(reply.Checks, statusOf(st))
	}
	var unknown []string
	for n, ok := range found {
		if !ok {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		writeJSON(w, http.StatusNotFound, ErrorReply{Error: noCheck(unknown), Unknown: unknown})
		return
	}
	slices.SortFunc(reply.Checks, func(a, b CheckStatus) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, reply)
}

// reload answers POST /v1/reload through the Source's reload path.
func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.lim.request)
	defer cancel()
	err := s.src.Reload(ctx)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, ReloadReply{Applied: true})
	case ctx.Err() != nil:
		// No verdict: heatd is stopping, or its main loop did not take
		// the request in time. The reload may still happen.
		writeJSON(w, http.StatusServiceUnavailable, ErrorReply{Error: "reload not confirmed: " + err.Error()})
	default:
		writeJSON(w, http.StatusUnprocessableEntity, ReloadReply{Errors: reasons(err)})
	}
}

// reasons are the lines of a rejected reload's error, one problem each.
func reasons(err error) []string {
	var out []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		out = []string{"rejected, with no reason given"}
	}
	return out
}

// noCheck says which names are no check's.
func noCheck(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	if len(names) == 1 {
		return "no check named " + quoted[0]
	}
	return "no checks named " + strings.Join(quoted, ", ")
}

func notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, ErrorReply{Error: r.Method + " " + r.URL.Path + ": use " + allow})
}

// writeJSON answers with v, indented for the person reading it with curl;
// heatctl re-indents what it prints, so this is not part of the format.
func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		code = http.StatusInternalServerError
		body, _ = json.Marshal(ErrorReply{Error: "encoding the answer: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(body, '\n')) //nolint:errcheck // a client gone is no concern of ours
}
