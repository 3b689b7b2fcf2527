package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// An `http = "URL"` check behaves as `curl -sf URL`, and where heatd had to choose:
//
//   - Redirects are not followed (curl without -L); a 3xx is below 400, so
//     it passes unless http_status says otherwise.
//   - Certificates are verified against the system's roots, as curl does.
//   - No proxy is used, whatever http_proxy, HTTPS_PROXY or NO_PROXY say
//     (curl would honour them). A health probe asks whether the service
//     answers; through a proxy it would ask about the proxy too, and a
//     proxy variable set for people's shells would reach the daemon by
//     accident. A check that must go through a proxy is a `command` running
//     curl.
//   - No Accept-Encoding is sent (curl without --compressed), so http_body
//     is looked for in the body exactly as the server sent it.
//   - HTTPS negotiates HTTP/2 when the server offers it, as curl does.
//   - The body is read up to httpBodyLimit and no further: http_body is
//     looked for in that part only, and a longer body still passes.

// httpBodyLimit bounds what a run reads of a body: enough for any health
// page, and reading it all lets the connection serve the next run. A
// larger body is cut off (its connection closed) rather than read without
// end.
const httpBodyLimit = 1 << 20

// httpHeaderLimit bounds a response's headers: a misbehaving server must not
// make each of thousands of checks hold megabytes (net/http's default is 10 MB).
const httpHeaderLimit = 256 << 10

// httpUserAgent is sent unless http_headers sets User-Agent: it tells the
// server's logs who keeps asking.
const httpUserAgent = "heatd/probe"

// httpMaxIdle is the longest an idle connection is kept between runs,
// net/http's own default: a check every five minutes reconnects each time
// rather than hold a descriptor for nothing, as most servers would close
// it by then anyway.
const httpMaxIdle = 90 * time.Second

// httpSearchChunk is how much of the body is read at a time when looking
// for http_body: a health page fits in one read, and a larger body takes
// more reads, not more memory (measured: 32 KiB doubled a run's cost).
const httpSearchChunk = 4 << 10

// HTTPProbe is an `http = "URL"` check and its http_* keys.
type HTTPProbe struct {
	URL     string
	Method  string            // GET when empty
	Status  []int             // accepted codes; empty: any below 400
	Body    string            // a text the body must contain
	Headers map[string]string // sent with the request
}

// httpKind is the registry's entry for HTTPProbe: the URL, then the keys
// that only an http check has.
func httpKind() Kind {
	return Kind{
		Key: Key{Name: "http", Doc: "a URL fetched by heatd itself (see Native probes)",
			Value: Make(parseURL, func(url string) Probe { return HTTPProbe{URL: url} })},
		Form: `"URL"`,
		Keys: []Key{
			{Name: "http_method", Defaults: true, Doc: "the request's method",
				Value: Field(parseMethod, http.MethodGet, func(h *HTTPProbe, v string) { h.Method = v })},
			{Name: "http_status", Defaults: true, Shown: "any below 400", Doc: "the accepted status codes: one, or an array",
				Value: Field(parseStatus, nil, func(h *HTTPProbe, v []int) { h.Status = slices.Clone(v) })},
			{Name: "http_body", Defaults: true, Doc: "a text the body must contain",
				Value: Field(Reader.String, "", func(h *HTTPProbe, v string) { h.Body = v })},
			{Name: "http_headers", Defaults: true, Doc: "a table of headers sent with the request",
				Value: Table(headerEntry, func(h *HTTPProbe, v map[string]string) { h.Headers = cloneOrNil(v) })},
		},
	}
}

// parseURL is an http or https URL with a host, kept as written.
func parseURL(r Reader, v any) (string, error) {
	s, err := r.String(v)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf(`must be an http or https URL with a host, such as "http://localhost:8000/health", not %q`, s)
	}
	return s, nil
}

// parseStatus reads the accepted HTTP status codes: one or an array.
func parseStatus(r Reader, v any) ([]int, error) {
	const want = "an HTTP status code such as 200, or an array of them such as [200, 204]"
	var list []any
	switch v := v.(type) {
	case int64:
		list = []any{v}
	case []any:
		list = v
	default:
		return nil, fmt.Errorf("must be %s, not %s", want, r.TypeName(v))
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("must be %s, not an empty array", want)
	}
	codes := make([]int, 0, len(list))
	for _, e := range list {
		n, ok := e.(int64)
		if !ok {
			return nil, fmt.Errorf("must be %s, not an array holding %s", want, r.TypeName(e))
		}
		if n < 100 || n > 599 {
			return nil, fmt.Errorf("%d is not an HTTP status code (100 to 599)", n)
		}
		codes = append(codes, int(n))
	}
	return codes, nil
}

func parseMethod(r Reader, v any) (string, error) {
	s, err := r.String(v)
	if err == nil && !isToken(s) {
		err = fmt.Errorf(`must be an HTTP method such as "GET" or "HEAD", not %q`, s)
	}
	return s, err
}

// headerEntry checks one HTTP header: a line break in a value would start
// a header nobody wrote.
func headerEntry(name, value string) string {
	switch {
	case !isToken(name):
		return fmt.Sprintf("%q is not an HTTP header name; a name is like X-Token", name)
	case strings.ContainsAny(value, "\r\n\x00"):
		return fmt.Sprintf("%q cannot hold a line break or NUL", name)
	}
	return ""
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2), the
// syntax of methods and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		bare := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !bare && !strings.ContainsRune("!#$%&'*+.^`|~", rune(c)) {
			return false
		}
	}
	return true
}

// cloneOrNil copies m, so that no two checks share the map of [defaults];
// an empty table becomes nil so that two loads of one file compare equal
// whether or not it wrote an empty one.
func cloneOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// Kind is the config key of an http check.
func (HTTPProbe) Kind() string { return "http" }

// Prepare makes the runs of an http check: its client, and so its idle
// connection, lives as long as the check.
func (h HTTPProbe) Prepare(spec *Spec, _ []string) Prober {
	return &nativeProber{probe: newHTTPProber(&h, spec.Interval), timeout: spec.Timeout}
}

// httpProber is an `http` check. Its client, and so its idle connection,
// lives as long as the check.
type httpProber struct {
	client *http.Client // for https
	plain  *plainClient // for http
	url    *url.URL
	urlErr error  // the URL does not parse: every run fails with 3
	host   string // the Host header, when http_headers sets one
	port   string // for the message of a failed connect
	method string
	header http.Header // shared by every request, never written after newHTTPProber
	status []int       // accepted codes; empty: below 400
	want   []byte      // http_body
	// fresh: the method is not one a client may send again, so each run
	// takes a new connection. On a kept one the server may close just as
	// the request goes out, and net/http retries only idempotent requests:
	// a POST would fail for nothing.
	fresh bool
}

// newHTTPProber prepares the check h, run every interval. A URL that does
// not parse (the loader rejects them) fails every run with 3, rather than
// fail NewRunner.
func newHTTPProber(h *HTTPProbe, interval time.Duration) *httpProber {
	p := &httpProber{
		method: h.Method,
		status: h.Status,
		want:   []byte(h.Body),
		client: &http.Client{
			Transport: newTransport(interval),
			// curl without -L: the 3xx itself is the answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	if p.method == "" {
		p.method = http.MethodGet
	}
	switch p.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
	default:
		p.fresh = true
	}
	p.url, p.urlErr = url.Parse(h.URL)
	if p.urlErr == nil {
		p.port = p.url.Port()
		switch {
		case p.port != "":
		case p.url.Scheme == "https":
			p.port = "443"
		default:
			p.port = "80"
		}
	}
	p.header, p.host = requestHeader(h.Headers)
	if p.urlErr == nil && p.url.User != nil && p.header.Get("Authorization") == "" {
		// As curl, and as http.Client does for a request it sends: the
		// URL's credentials, in every run's header.
		pass, _ := p.url.User.Password()
		p.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(p.url.User.Username()+":"+pass)))
	}
	if p.urlErr == nil && p.url.Scheme == "http" {
		// A request that cannot be written (net/http refuses its Host)
		// goes to the Transport, which says why at each run.
		p.plain, _ = newPlainClient(net.JoinHostPort(p.url.Hostname(), p.port), keepIdle(interval), p.request())
	}
	return p
}

// requestHeader is what every request of a check carries: http_headers,
// and curl's User-Agent and Accept unless they set their own. The Host
// header comes apart, as net/http takes it from Request.Host only.
func requestHeader(headers map[string]string) (h http.Header, host string) {
	h = make(http.Header, len(headers)+2)
	for k, v := range headers {
		if strings.EqualFold(k, "Host") {
			host = v
			continue
		}
		h.Set(k, v)
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", httpUserAgent)
	}
	if h.Get("Accept") == "" {
		h.Set("Accept", "*/*") // as curl sends
	}
	return h, host
}

// newTransport is the connection pool of one check run every interval.
func newTransport(interval time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:               nil, // no proxy from the environment: see the top of this file
		DialContext:         (&net.Dialer{}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        1, // runs of a check never overlap: one connection serves them all
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     keepIdle(interval),
		DisableCompression:  true,
		// No timeouts of its own: the check's timeout bounds the whole run.
		MaxResponseHeaderBytes: httpHeaderLimit,
	}
}

// keepIdle is how long the connection of a check run every interval is
// kept idle: a little beyond the next run, which uses it, and at most
// httpMaxIdle.
func keepIdle(interval time.Duration) time.Duration {
	d := interval + interval/2
	if d <= 0 || d > httpMaxIdle {
		return httpMaxIdle
	}
	return d
}

// kind heads the probe's output.
func (p *httpProber) kind() string { return "http" }

// close drops the kept connection: the check is stopping or being replaced.
func (p *httpProber) close() {
	if p.plain != nil {
		p.plain.close()
	}
	p.client.CloseIdleConnections()
}

// probe sends the request and judges the answer as curl -sf would.
func (p *httpProber) probe(ctx context.Context, deadline time.Time) *failure {
	if p.urlErr != nil {
		return &failure{code: codeBadURL, msg: "URL rejected: " + p.urlErr.Error()}
	}
	if p.plain != nil {
		pc, resp, err := p.plain.exchange(ctx, deadline)
		if err != nil {
			return p.failed(err, false)
		}
		f, whole := p.judge(resp)
		p.plain.finish(pc, resp, whole)
		return f
	}
	return p.viaClient(ctx, deadline)
}

// viaClient is a run through net/http's client (https, a proxy): the
// frame of its trace and its context is made only for such a check, not
// under every plain run.
//
//go:noinline
func (p *httpProber) viaClient(ctx context.Context, deadline time.Time) *failure {
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	// inTLS tells a failed TLS handshake from what fails after it: both can
	// be a bare EOF or a reset, and curl says 35 only for the first. The
	// hooks may run on net/http's dialing goroutine, hence the atomic.
	var inTLS atomic.Bool
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart: func() { inTLS.Store(true) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				inTLS.Store(false)
			}
		},
	}
	resp, err := p.client.Do(p.request().WithContext(httptrace.WithClientTrace(ctx, trace)))
	if err != nil {
		return p.failed(err, inTLS.Load())
	}
	defer resp.Body.Close()
	f, _ := p.judge(resp)
	return f
}

// judge judges an answer as curl -sf would, reading its body when the
// status passes; whole: the body was read to its end, so that its
// connection can serve the next run.
func (p *httpProber) judge(resp *http.Response) (f *failure, whole bool) {
	if !p.accepted(resp.StatusCode) {
		// As curl -f: the status decides, the body is not read (closing
		// it unread drops the connection, which a failing server may
		// well deserve).
		msg := "The requested URL returned error: " + strconv.Itoa(resp.StatusCode)
		if len(p.status) > 0 {
			msg += " (http_status accepts " + joinInts(p.status) + ")"
		}
		return &failure{code: codeHTTPStatus, msg: msg}, false
	}
	found, err := p.readBody(resp.Body)
	if err != nil {
		return p.failed(err, false), false
	}
	// Beyond httpBodyLimit the body is not read: its connection is closed.
	n, err := resp.Body.Read(make([]byte, 1))
	whole = n == 0 && err == io.EOF
	if !found {
		return &failure{code: codeBodyLacks,
			msg: "The response body does not contain " + strconv.Quote(string(p.want))}, whole
	}
	return nil, whole
}

// request is the request of a run.
func (p *httpProber) request() *http.Request {
	return &http.Request{
		// Built by hand, not by http.NewRequest: the URL was parsed once,
		// and the header is shared (net/http copies it before any change).
		Method: p.method,
		URL:    p.url,
		Header: p.header,
		Host:   p.host,
		Close:  p.fresh,
	}
}

// accepted reports whether the status passes: one of http_status, or
// below 400 as curl -f has it.
func (p *httpProber) accepted(code int) bool {
	if len(p.status) == 0 {
		return code < 400
	}
	return slices.Contains(p.status, code)
}

// readBody reads the body up to httpBodyLimit and reports whether it
// holds p.want there (always, when there is no http_body). Reading to the
// end is what lets net/http keep the connection for the next run.
func (p *httpProber) readBody(body io.Reader) (found bool, err error) {
	r := io.LimitReader(body, httpBodyLimit)
	if len(p.want) == 0 {
		_, err = io.Copy(io.Discard, r)
		return true, err
	}
	return contains(r, p.want)
}

// contains reads r to its end and reports whether want occurs in it,
// holding only a chunk and the tail of the one before it, so that a match
// across two reads is found.
func contains(r io.Reader, want []byte) (bool, error) {
	buf := make([]byte, len(want)-1+httpSearchChunk)
	keep := 0 // bytes at the start of buf carried over from the last read
	for {
		n, err := r.Read(buf[keep:])
		if n > 0 {
			seen := buf[:keep+n]
			if bytes.Contains(seen, want) {
				_, err := io.Copy(io.Discard, r)
				return true, err
			}
			keep = min(len(want)-1, len(seen))
			copy(buf, seen[len(seen)-keep:])
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// failed reads an error of net/http into curl's code. handshake: the TLS
// handshake had begun and not ended well.
func (p *httpProber) failed(err error, handshake bool) *failure {
	var (
		dns  *net.DNSError
		cert *tls.CertificateVerificationError
		op   *net.OpError
	)
	fail := func(code int, msg string) *failure { return &failure{code: code, msg: msg, io: true} }
	switch {
	case errors.As(err, &dns):
		return connectFailure(err, p.url.Hostname(), p.port)
	case errors.As(err, &cert):
		return fail(codeCertInvalid, "SSL certificate problem: "+cert.Err.Error())
	case handshake:
		return fail(codeTLS, "TLS connect error: "+innerError(err))
	case errors.As(err, &op) && op.Op == "dial":
		return connectFailure(err, p.url.Hostname(), p.port)
	case errors.As(err, &op) && op.Op == "remote error":
		// A TLS alert after the handshake: with TLS 1.3 a server refuses
		// a client (no client certificate) only then. curl says 56 here,
		// heatd says what it is.
		return fail(codeTLS, "TLS alert from the server: "+op.Err.Error())
	case errors.Is(err, syscall.ECONNRESET):
		return fail(codeRecvFailed, "Recv failure: Connection reset by peer")
	case errors.Is(err, syscall.EPIPE):
		return fail(codeSendFailed, "Send failure: Broken pipe")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fail(codePartial, "Transferred a partial file: the body ended early")
	case errors.Is(err, io.EOF) || strings.Contains(err.Error(), "server closed idle connection"):
		// net/http says the latter when the connection closed before a
		// byte of the response, a kept connection or a new one.
		return fail(codeEmptyReply, "Empty reply from server")
	case strings.Contains(err.Error(), "malformed HTTP"):
		// net/http has no error type for a reply that is not HTTP.
		s := err.Error()
		return fail(codeWeirdReply, "Weird server reply: "+s[strings.Index(s, "malformed HTTP"):])
	case isTimeout(err):
		return fail(codeTimeout, "Operation timed out: "+innerError(err))
	}
	return fail(codeRecvFailed, "Failure when receiving data from the peer: "+innerError(err))
}

// innerError is err without the "Get "URL": " that net/http puts before
// it: the check is known, the reason is what matters.
func innerError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
