package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"
)

// Native probes: an `http` or `tcp` check runs
// inside heatd, with no process, and fails with curl's exit codes so that
// what was written for `curl -sf` (a fail script testing HEAT_FAIL_CODE, an
// alert rule on the exit code) reads them alike. Each kind of probe has a
// file of its own; this one holds what they share: the codes, the Result,
// and the reading of a failed connect.

// curl's exit codes (curl(1), EXIT CODES; libcurl-errors(3)), by the name
// libcurl gives them. Where heatd uses one for a case curl does not have,
// the comment says so.
const (
	// codeBodyLacks (CURLE_UNSUPPORTED_PROTOCOL in curl) is heatd's code for
	// a body that lacks the http_body text: 1 is what `curl -sf URL | grep
	// -q TEXT` exits with when the text is missing.
	codeBodyLacks   = 1
	codeBadURL      = 3  // CURLE_URL_MALFORMAT
	codeNoHost      = 6  // CURLE_COULDNT_RESOLVE_HOST
	codeNoConnect   = 7  // CURLE_COULDNT_CONNECT
	codeWeirdReply  = 8  // CURLE_WEIRD_SERVER_REPLY: not HTTP
	codePartial     = 18 // CURLE_PARTIAL_FILE: the body ended early
	codeHTTPStatus  = 22 // CURLE_HTTP_RETURNED_ERROR: what -f turns a bad status into
	codeTimeout     = 28 // CURLE_OPERATION_TIMEDOUT
	codeTLS         = 35 // CURLE_SSL_CONNECT_ERROR: the TLS handshake failed
	codeAborted     = 42 // CURLE_ABORTED_BY_CALLBACK: heatd stopped the probe (stop)
	codeEmptyReply  = 52 // CURLE_GOT_NOTHING
	codeSendFailed  = 55 // CURLE_SEND_ERROR
	codeRecvFailed  = 56 // CURLE_RECV_ERROR: e.g. connection reset
	codeCertInvalid = 60 // CURLE_PEER_FAILED_VERIFICATION: certificate not trusted or not for this host
)

// native is one kind of native probe. It is built once per check and kept
// for the check's life, so what it holds (an HTTP client's idle
// connection) serves the next run.
type native interface {
	// probe runs once, by deadline (zero: none), the run's timeout; ctx's
	// end (heatd stopping) cuts it short. It returns nil when the probe
	// passed. The deadline comes apart from ctx so that a probe can hand it
	// to its connection as is: a context of its own for each run, with its
	// timer, would cost more than the probe's work.
	probe(ctx context.Context, deadline time.Time) *failure
	// kind names the probe ("http", "tcp") at the head of its output.
	kind() string
	// close releases what the probe keeps between runs.
	close()
}

// failure is a failed probe: curl's code for it and a one-line reason.
type failure struct {
	code int
	msg  string
	// io: the failure came from the network, so the end of the probe's
	// context (timeout, stop) may be its real cause. A verdict on what the
	// server said (status, body) is not one.
	io bool
}

// nativeProber is the Prober of a native probe: its runs as check runs.
type nativeProber struct {
	probe   native
	timeout time.Duration // the check's; zero: none
}

// startsNoProcess: a probe runs inside heatd, with no process (inProcess).
func (*nativeProber) startsNoProcess() {}

// Close releases what the probe keeps between runs.
func (n *nativeProber) Close() { n.probe.close() }

// Run runs the probe once as a check run: within the check's timeout, cut
// short when ctx (heatd's kill context) ends. Its frame lies under the
// probe's whole connection: its result is named, built where its caller
// takes it, and a failure is read in a frame of its own.
func (n *nativeProber) Run(ctx context.Context) (r Result) {
	start := time.Now()
	r.Start, r.Unix = start, start.Unix()
	if ctx.Err() != nil {
		// As a process is not started once heatd is stopping.
		r.Interrupted = true
		r.Err = notStarted(ctx)
		return r
	}
	var deadline time.Time
	if n.timeout > 0 {
		deadline = start.Add(n.timeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	f := n.probe.probe(ctx, deadline)
	r.Duration = time.Since(start)
	if f != nil {
		n.failed(ctx, deadline, f, &r)
	}
	return r
}

// notStarted is the error of a run that did not start, ctx having ended.
//
//go:noinline
func notStarted(ctx context.Context) error {
	return fmt.Errorf("not started: %w", context.Cause(ctx))
}

// failed writes the failure f of a probe that had deadline into r.
//
//go:noinline
func (n *nativeProber) failed(ctx context.Context, deadline time.Time, f *failure, r *Result) {
	switch {
	case f.io && ctx.Err() != nil:
		r.Interrupted = true
		f = &failure{code: codeAborted, msg: "Operation aborted: heatd is stopping"}
	case f.io && !deadline.IsZero() && !time.Now().Before(deadline):
		// Whatever the network said last, the timeout is why it failed:
		// curl -m reports 28 in every phase too. The clock decides, as the
		// deadline was the connection's, not a context that ended.
		r.TimedOut = true
		f = &failure{code: codeTimeout,
			msg: fmt.Sprintf("Operation timed out after %d milliseconds", r.Duration.Milliseconds())}
	}
	r.Code, r.Reason = f.code, oneLine(f.msg)
	r.Output = fmt.Appendf(nil, "%s: (%d) %s\n", n.probe.kind(), f.code, oneLine(f.msg))
}

// connectFailure reads an error met while connecting to host:port: the
// name did not resolve (6), the connect timed out (28) or failed (7).
func connectFailure(err error, host, port string) *failure {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &failure{code: codeNoHost, msg: "Could not resolve host: " + dns.Name, io: true}
	}
	msg := "Failed to connect to " + host + " port " + port + ": " + reason(err)
	if isTimeout(err) {
		// The kernel gave up (ETIMEDOUT) before any timeout of heatd's.
		return &failure{code: codeTimeout, msg: msg, io: true}
	}
	return &failure{code: codeNoConnect, msg: msg, io: true}
}

// isTimeout reports an error that says time ran out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// reason is the system's word for err, as curl prints strerror(): the
// errno's text when there is one ("Connection refused"), else the error
// without the operation and addresses that the message already gives.
func reason(err error) string {
	var (
		errno syscall.Errno
		op    *net.OpError
	)
	switch {
	case errors.As(err, &errno):
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	case errors.As(err, &op):
		return op.Err.Error()
	}
	return err.Error()
}

// oneLine keeps a reason on one line: it is an event's output field and a
// single heat log line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
