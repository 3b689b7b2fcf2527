package metrics

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// What a client may hold of the listener, and why: a scraper sends its
// request at once, so 5 s without headers is a stuck or hostile client; a
// request (a scrape, or a heartbeat's POST) has no body worth 10 s; an
// answer of ten thousand checks' series crosses a slow network well within
// 30 s, Prometheus' own longest scrape timeout being its interval; and a
// kept-alive scraper comes back within its interval or opens a new
// connection, which costs nothing.
const (
	headerTimeout  = 5 * time.Second
	readTimeout    = 10 * time.Second
	writeTimeout   = 30 * time.Second
	idleTimeout    = 30 * time.Second
	maxHeaderBytes = 8 << 10 // a scrape is a line and a few headers
)

// Server serves /metrics, and heartbeats' POST /beat/NAME, on a TCP address.
type Server struct {
	Addr string // as configured
	srv  *http.Server
	done chan struct{}
}

// Listen binds addr and serves m's metrics at /metrics, and hands the
// beats posted to /beat/NAME to beats, until Close.
func Listen(addr string, m *Metrics, beats Beater) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/healthz", m.healthz()) // 200 while heatd is live, else 503
	mux.Handle("/metrics", m.Handler())
	mux.Handle(beatPath, beatHandler(beats))
	s := &Server{
		Addr: addr,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: headerTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			// net/http's complaints about clients (a reset mid-answer)
			// would be plain text among heatd's JSON events.
			ErrorLog: log.New(io.Discard, "", 0),
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		// Serve returns ErrServerClosed after Close; any other error means
		// the listener broke, and Close still cleans up.
		_ = s.srv.Serve(newCapListener(ln, maxConns))
	}()
	return s, nil
}

// Close stops serving, letting a scrape under way finish for a moment.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
