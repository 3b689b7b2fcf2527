package metrics

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Server serves /metrics on a TCP address.
type Server struct {
	Addr string // as configured
	srv  *http.Server
	done chan struct{}
}

// Listen binds addr and serves m's metrics at /metrics until Close.
func Listen(addr string, m *Metrics) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	s := &Server{
		Addr: addr,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second, // a scraper that sends nothing holds nothing
			IdleTimeout:       2 * time.Minute,
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		// Serve returns ErrServerClosed after Close; any other error means
		// the listener broke, and Close still cleans up.
		_ = s.srv.Serve(ln)
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
