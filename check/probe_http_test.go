package check

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

// afterRequest serves a raw connection: it reads one request, then hands
// the connection to then.
func afterRequest(then func(c net.Conn)) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		then(c)
	}
}

// answerThen writes s as the whole answer, then calls then.
func answerThen(s string, then func(net.Conn)) func(net.Conn) {
	return afterRequest(func(c net.Conn) {
		if _, err := io.WriteString(c, s); err == nil {
			then(c)
		}
	})
}

// readHello reads a TLS ClientHello (one record), answers nothing, and
// calls then: the handshake ends there, the way curl calls 35 and an empty
// reply after it would be 52.
func readHello(then func(net.Conn)) func(net.Conn) {
	return func(c net.Conn) {
		var hdr [5]byte // type, version, length
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		if _, err := io.ReadFull(c, make([]byte, int(hdr[3])<<8|int(hdr[4]))); err != nil {
			return
		}
		then(c)
	}
}

func closeConn(c net.Conn) { _ = c.Close() }

// resetConn closes c with SO_LINGER 0: the kernel answers with a RST.
func resetConn(c net.Conn) {
	_ = c.(*net.TCPConn).SetLinger(0)
	_ = c.Close()
}

// statusServer is an HTTP server answering every request with code and body.
func statusServer(t *testing.T, code int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// rawURL is the http URL of a raw server that serves each connection so.
func rawURL(t *testing.T, serve func(net.Conn)) string {
	return "http://" + newRawServer(t, serve).addr() + "/"
}

func TestHTTPProbeCodes(t *testing.T) {
	const short = 100 * time.Millisecond
	tests := []struct {
		name     string
		url      func(t *testing.T) string
		probe    HTTPProbe // URL filled from url
		timeout  time.Duration
		code     int
		timedOut bool
		out      string
	}{
		{name: "200", url: func(t *testing.T) string { return statusServer(t, 200, "ok") }},
		{name: "204", url: func(t *testing.T) string { return statusServer(t, 204, "") }},
		{name: "399 is below 400", url: func(t *testing.T) string { return statusServer(t, 399, "") }},
		{name: "500", url: func(t *testing.T) string { return statusServer(t, 500, "boom") },
			code: codeHTTPStatus, out: "http: (22) The requested URL returned error: 500"},
		{name: "404", url: func(t *testing.T) string { return statusServer(t, 404, "") },
			code: codeHTTPStatus, out: "returned error: 404"},
		{name: "404 accepted", url: func(t *testing.T) string { return statusServer(t, 404, "") },
			probe: HTTPProbe{Status: []int{404}}},
		{name: "200 not accepted", url: func(t *testing.T) string { return statusServer(t, 200, "") },
			probe: HTTPProbe{Status: []int{204, 404}},
			code:  codeHTTPStatus, out: "returned error: 200 (http_status accepts 204, 404)"},
		{name: "refused", url: func(t *testing.T) string { return "http://" + freePort(t) + "/" },
			code: codeNoConnect, out: "http: (7) Failed to connect to 127.0.0.1 port "},
		{name: "hangs before answering", url: func(t *testing.T) string { return rawURL(t, holdConn) },
			timeout: short, code: codeTimeout, timedOut: true, out: "http: (28) Operation timed out after "},
		{name: "hangs in the body", timeout: short, code: codeTimeout, timedOut: true,
			url: func(t *testing.T) string {
				return rawURL(t, answerThen("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", holdConn))
			}},
		{name: "reset", url: func(t *testing.T) string { return rawURL(t, afterRequest(resetConn)) },
			code: codeRecvFailed, out: "http: (56) Recv failure: Connection reset by peer"},
		{name: "reset in the body", code: codeRecvFailed, out: "Connection reset by peer",
			url: func(t *testing.T) string {
				return rawURL(t, answerThen("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", resetConn))
			}},
		{name: "empty reply", url: func(t *testing.T) string { return rawURL(t, afterRequest(closeConn)) },
			code: codeEmptyReply, out: "http: (52) Empty reply from server"},
		{name: "not HTTP", url: func(t *testing.T) string { return rawURL(t, answerThen("SSH-2.0-OpenSSH\r\n\r\n", closeConn)) },
			code: codeWeirdReply, out: "http: (8) Weird server reply"},
		{name: "body cut short", code: codePartial, out: "http: (18) ",
			url: func(t *testing.T) string {
				return rawURL(t, answerThen("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", closeConn))
			}},
		{name: "self-signed certificate", url: func(t *testing.T) string { return tlsServer(t, nil) }, code: codeCertInvalid, out: "http: (60) SSL certificate problem: x509: certificate signed by unknown authority"},
		{name: "TLS to a plain HTTP server", url: func(t *testing.T) string {
			return strings.Replace(statusServer(t, 200, "ok"), "http:", "https:", 1)
		}, code: codeTLS, out: "http: (35) TLS connect error: "},
		{name: "TLS closed mid-handshake", code: codeTLS, out: "http: (35) TLS connect error: EOF",
			url: func(t *testing.T) string {
				return "https://" + newRawServer(t, readHello(closeConn)).addr() + "/"
			}},
		{name: "TLS reset mid-handshake", code: codeTLS, out: "http: (35) TLS connect error: ",
			url: func(t *testing.T) string {
				return "https://" + newRawServer(t, readHello(resetConn)).addr() + "/"
			}},
		{name: "TLS version refused", code: codeTLS, out: "http: (35) TLS connect error: remote error: tls: protocol version not supported",
			url: func(t *testing.T) string {
				return tlsServer(t, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
			}},
		{name: "body holds the text", url: func(t *testing.T) string { return statusServer(t, 200, `{"db": "up"}`) },
			probe: HTTPProbe{Body: `"db": "up"`}},
		{name: "body lacks the text", url: func(t *testing.T) string { return statusServer(t, 200, `{"db": "down"}`) },
			probe: HTTPProbe{Body: `"db": "up"`},
			code:  codeBodyLacks, out: `http: (1) The response body does not contain "\"db\": \"up\""`},
		{name: "text beyond the bound", url: func(t *testing.T) string {
			return statusServer(t, 200, strings.Repeat("x", httpBodyLimit)+"ready")
		}, probe: HTTPProbe{Body: "ready"}, code: codeBodyLacks},
		{name: "text across two reads", url: func(t *testing.T) string {
			return statusServer(t, 200, strings.Repeat("x", httpSearchChunk-2)+"ready")
		}, probe: HTTPProbe{Body: "ready"}},
		{name: "redirect", url: func(t *testing.T) string {
			srv := httptest.NewServer(http.RedirectHandler("http://"+freePort(t)+"/elsewhere", http.StatusFound))
			t.Cleanup(srv.Close)
			return srv.URL
		}},
		{name: "redirect not accepted", url: func(t *testing.T) string {
			srv := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusMovedPermanently))
			t.Cleanup(srv.Close)
			return srv.URL
		}, probe: HTTPProbe{Status: []int{200}}, code: codeHTTPStatus, out: "returned error: 301"},
		{name: "malformed URL", url: func(*testing.T) string { return "http://[::1/" },
			code: codeBadURL, out: "http: (3) URL rejected: "},
		{name: "name not valid", url: func(*testing.T) string { return "http://no..such/" },
			code: codeNoHost, out: "http: (6) Could not resolve host: no..such"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.probe
			p.URL = tt.url(t)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			r := probeOnce(t, context.Background(), &Spec{Probe: p, Timeout: timeout})
			wantProbe(t, r, tt.code, tt.timedOut, tt.out)
			if tt.timedOut && r.Duration > time.Second {
				t.Errorf("took %v with a %v timeout", r.Duration, timeout)
			}
		})
	}
}

func TestHTTPProbeNotResolved(t *testing.T) {
	r := probeOnce(t, context.Background(), &Spec{
		Probe:   HTTPProbe{URL: "http://heatd-probe-test.invalid/"},
		Timeout: 3 * time.Second,
	})
	if r.Code == codeTimeout {
		// .invalid never resolves (RFC 6761); a resolver that does not
		// answer at all leaves only the timeout.
		t.Skipf("the resolver did not answer within the timeout: %s", r.Output)
	}
	wantProbe(t, r, codeNoHost, false, "http: (6) Could not resolve host: heatd-probe-test.invalid")
}

// TestHTTPProbeRedirectNotFollowed: as curl without -L, the 3xx is the
// answer; its target is never asked.
func TestHTTPProbeRedirectNotFollowed(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		http.Redirect(w, r, "/target", http.StatusFound)
	}))
	defer srv.Close()
	r := probeOnce(t, context.Background(), &Spec{Probe: HTTPProbe{URL: srv.URL + "/start"}, Timeout: 5 * time.Second})
	wantProbe(t, r, 0, false, "")
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 1 || paths[0] != "/start" {
		t.Errorf("server asked for %q; want only /start", paths)
	}
}

// TestHTTPProbeReusesConnection: runs of one check share a kept-alive
// connection, except with a method that must not be sent twice.
func TestHTTPProbeReusesConnection(t *testing.T) {
	for method, want := range map[string]int{"GET": 1, "HEAD": 1, "POST": 3} {
		t.Run(method, func(t *testing.T) {
			var mu sync.Mutex
			conns := 0
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, "ok")
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					mu.Lock()
					conns++
					mu.Unlock()
				}
			}
			srv.Start()
			defer srv.Close()
			runner := newProbeRunner(t, &Spec{Probe: HTTPProbe{URL: srv.URL, Method: method}, Timeout: 5 * time.Second})
			for range 3 {
				wantProbe(t, runner.Check(context.Background()), 0, false, "")
			}
			mu.Lock()
			defer mu.Unlock()
			if conns != want {
				t.Errorf("3 runs opened %d connections; want %d", conns, want)
			}
		})
	}
}

// TestHTTPProbeHead: a HEAD answer announces a body it never sends; the
// probe must not wait for it (the server keeps the connection open).
func TestHTTPProbeHead(t *testing.T) {
	method := make(chan string, 1)
	srv := newRawServer(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		method <- req.Method
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
		holdConn(c)
	})
	r := probeOnce(t, context.Background(), &Spec{
		Probe:   HTTPProbe{URL: "http://" + srv.addr() + "/", Method: "HEAD"},
		Timeout: 5 * time.Second,
	})
	wantProbe(t, r, 0, false, "")
	if m := <-method; m != "HEAD" {
		t.Errorf("server got %s; want HEAD", m)
	}
	if r.Duration > time.Second {
		t.Errorf("took %v: it waited for a body", r.Duration)
	}
}

// TestHTTPProbeHeaders: http_headers are sent, Host among them; heatd names
// itself unless told otherwise and asks for no compression, as curl.
func TestHTTPProbeHeaders(t *testing.T) {
	got := make(chan *http.Request, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got <- r }))
	defer srv.Close()

	r := probeOnce(t, context.Background(), &Spec{Probe: HTTPProbe{
		URL:     srv.URL + "/health?full=1",
		Headers: map[string]string{"host": "web.example", "X-Token": "s3cret"},
	}, Timeout: 5 * time.Second})
	wantProbe(t, r, 0, false, "")
	req := <-got
	if req.Host != "web.example" || req.Header.Get("X-Token") != "s3cret" || req.URL.RequestURI() != "/health?full=1" {
		t.Errorf("Host %q, X-Token %q, URI %q", req.Host, req.Header.Get("X-Token"), req.URL.RequestURI())
	}
	if ua, ae := req.Header.Get("User-Agent"), req.Header.Get("Accept-Encoding"); ua != httpUserAgent || ae != "" {
		t.Errorf("User-Agent %q, Accept-Encoding %q; want %q and none", ua, ae, httpUserAgent)
	}

	r = probeOnce(t, context.Background(), &Spec{Probe: HTTPProbe{
		URL: srv.URL, Headers: map[string]string{"User-Agent": "curl/8.5.0"},
	}, Timeout: 5 * time.Second})
	wantProbe(t, r, 0, false, "")
	if req := <-got; req.Header.Get("User-Agent") != "curl/8.5.0" || req.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("User-Agent %q, Host %q", req.Header.Get("User-Agent"), req.Host)
	}
}

func TestKeepIdle(t *testing.T) {
	for interval, want := range map[time.Duration]time.Duration{
		0:               httpMaxIdle, // no interval known: net/http's default
		2 * time.Second: 3 * time.Second,
		time.Minute:     httpMaxIdle,
		5 * time.Minute: httpMaxIdle,
	} {
		if got := keepIdle(interval); got != want {
			t.Errorf("keepIdle(%v) = %v; want %v", interval, got, want)
		}
	}
}

// TestContains looks for the text across reads of every size.
func TestContains(t *testing.T) {
	body := strings.Repeat("ab", 3*httpSearchChunk) + "needle" + "tail"
	for _, tt := range []struct {
		want  string
		found bool
	}{{"needle", true}, {"needlx", false}, {"ab", true}, {"a", true}, {"tail", true}, {"n", true}, {"z", false}} {
		for name, r := range map[string]io.Reader{
			"whole":    strings.NewReader(body),
			"one byte": iotest.OneByteReader(strings.NewReader(body)),
			"halves":   iotest.HalfReader(strings.NewReader(body)),
		} {
			found, err := contains(r, []byte(tt.want))
			if found != tt.found || err != nil {
				t.Errorf("%s, %q: %v, %v; want %v", name, tt.want, found, err, tt.found)
			}
		}
	}
	if _, err := contains(iotest.ErrReader(io.ErrUnexpectedEOF), []byte("x")); err != io.ErrUnexpectedEOF {
		t.Errorf("error %v; want the reader's", err)
	}
}

// BenchmarkHTTPProbe runs a probe against a local server over its
// kept-alive connection: the cost of one run of an http check.
func BenchmarkHTTPProbe(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"status": "ok"}`)
	}))
	defer srv.Close()
	for _, body := range []string{"", `"ok"`} {
		b.Run("body="+body, func(b *testing.B) {
			r, _ := NewRunner(&Spec{Name: "bench", Probe: HTTPProbe{URL: srv.URL, Body: body}, Timeout: 5 * time.Second}, nil, nil)
			defer r.Close()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if res := r.Check(ctx); res.Code != 0 {
					b.Fatalf("code %d: %s", res.Code, res.Output)
				}
			}
		})
	}
}

// tlsServer is an HTTPS server with httptest's self-signed certificate
// and cfg (nil: httptest's own). It does not log the handshakes that the
// tests make fail.
func tlsServer(t *testing.T, cfg *tls.Config) string {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}
