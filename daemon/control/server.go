package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heatd/heatd/check"
)

// Source is what the control socket reports on and acts through: heatd.
// Its methods are called from the server's goroutines, concurrently.
type Source interface {
	// Statuses are the checks' statuses now, in any order.
	Statuses() []check.Status
	// Reload reads the configuration again through heatd's one reload
	// path (the one SIGHUP takes) and returns nil once it is applied, or
	// an error whose text lists why it was rejected, one reason a line.
	// It must return soon after ctx ends.
	Reload(ctx context.Context) error
	// Beat hands a job's report to the heartbeat check name: a
	// *check.NoHeartbeatError when no heartbeat check has that name.
	Beat(name string, b check.Beat) error
	// Pause pauses the checks named (nil: every check) and returns their
	// names, sorted; a *check.UnknownError, pausing none, when a name is
	// no check's. It returns at once, whatever the checks are doing.
	Pause(names []string, p check.Pause) ([]string, error)
	// Resume ends the pause or the giving up of the checks named (nil:
	// every check), as uid asked, and returns their names, sorted; a
	// *check.UnknownError, resuming none, when a name is no check's. It
	// returns at once.
	Resume(names []string, uid int) ([]string, error)
	// Run runs the check name now, as a scheduled run with its steps
	// after it, once any run under way has ended, and returns the run's
	// result; a *check.UnknownError when no check has the name. It
	// returns soon after ctx ends, with ctx's error.
	Run(ctx context.Context, name string) (check.Result, error)
}

// SocketMode is the control socket's mode: heatd's user and group may ask;
// no one else learns what heatd watches or makes it reload.
const SocketMode = 0o660

// dirMode is the mode of a socket folder heatd creates: others may reach
// the socket there, and its own mode decides who may use it.
const dirMode = 0o755

// limits bound what a client may hold of the server.
type limits struct {
	header  time.Duration // to send a request's headers
	request time.Duration // a handler's bound, a reload's included
	idle    time.Duration // a kept-alive connection waiting for its next request
	grace   time.Duration // Close waits this long for answers under way
}

// Why these values: a local client writes its request at once, so
// whatever has not sent its headers in 5 s is stuck or hostile; a reload
// reads files and starts checks, well within 30 s even for thousands of
// checks; and a stop must not wait on a slow client for more than a moment.
const (
	headerTimeout  = 5 * time.Second
	requestTimeout = 30 * time.Second
	idleTimeout    = 30 * time.Second
	closeGrace     = time.Second
	maxHeaderBytes = 8 << 10 // a request here is a line and a few headers
)

// Server is a bound control socket. Make it with Listen, run it with
// Serve, end it with Close.
type Server struct {
	path    string
	ln      *net.UnixListener
	lock    *lockFile
	http    *http.Server
	src     Source
	lim     limits
	self    int                // heatd's own uid, which may use every verb
	stop    context.CancelFunc // ends the contexts of the requests under way
	serving atomic.Bool

	mu       sync.Mutex
	closing  bool           // no new request is handled
	handlers sync.WaitGroup // the requests being handled

	closeOnce sync.Once
	closeErr  error
}

// Listen binds the control socket at path, creating its folder (mode 0755)
// when missing. It first takes the lock file path+".lock", and refuses,
// naming its pid, when another heatd holds it; with the lock held, a
// socket already at path was left by a crash, and is replaced. Anything
// else in the way (a file, a folder) is left alone, and Listen fails.
func Listen(path string) (*Server, error) {
	return listen(path, limits{header: headerTimeout, request: requestTimeout, idle: idleTimeout, grace: closeGrace})
}

// listen is Listen with the limits given: tests shorten them to see them.
func listen(path string, lim limits) (*Server, error) {
	if err := makeDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	lk, err := lock(path+".lock", path)
	if err != nil {
		return nil, err
	}
	ln, err := bind(path)
	if err != nil {
		lk.release()
		return nil, err
	}
	base, stop := context.WithCancel(context.Background())
	s := &Server{path: path, ln: ln, lock: lk, lim: lim, stop: stop, self: selfUID()}
	s.http = &http.Server{
		Handler:           http.HandlerFunc(s.route),
		ReadHeaderTimeout: lim.header,
		ReadTimeout:       lim.header, // requests have no body worth waiting for
		WriteTimeout:      lim.header + lim.request,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnContext:       withPeer,
		// net/http's own complaints (a client gone mid-answer) would be
		// lines of plain text among heatd's JSON events; they tell the
		// operator nothing the client does not already see.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return s, nil
}

// makeDir creates dir when missing. The mode is set after mkdir, as umask
// would narrow it, and only on the folder heatd made.
func makeDir(dir string) error {
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil // there, or a problem that bind will report better
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	return os.Chmod(dir, dirMode)
}

// bind replaces a stale socket at path and listens there, mode SocketMode.
func bind(path string) (*net.UnixListener, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	case fi.Mode().Type() != fs.ModeSocket:
		return nil, fmt.Errorf("control socket %s: something that is not a socket is in the way (%s); heatd replaces only a stale socket", path, fi.Mode().Type())
	default:
		// We hold the lock, so no heatd serves on it: a crash left it.
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control socket %s: removing the stale socket: %w", path, err)
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	// After bind, as bind takes its mode from umask. Go's listener
	// removes the socket when closed.
	if err := os.Chmod(path, SocketMode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers requests about src until Close, then returns nil; it
// returns an error only if accepting connections fails for good. Serve is
// called once.
func (s *Server) Serve(src Source) error {
	if !s.serving.CompareAndSwap(false, true) {
		return errors.New("control socket " + s.path + ": served twice")
	}
	s.src = src
	err := s.http.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops serving: no new connection; the answers under way get a
// moment (a reload's answer must reach its client even when that reload
// moved the socket), then their contexts end and every connection closes.
// Close waits, as long again at most, for the requests' handlers to return
// (a Source that ignores its context is abandoned). It then removes the
// socket and its lock file and releases the lock. Close may be called more
// than once, and before Serve.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.lim.grace)
		err := s.http.Shutdown(ctx)
		cancel()
		if err != nil {
			s.stop()
			s.http.Close()
		}
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.waitHandlers()
		s.stop()
		// Shutdown closes the listener only if Serve was called.
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			s.closeErr = err
		}
		if err := s.lock.release(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

// enter counts a request in, unless the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.handlers.Add(1)
	return true
}

// waitHandlers waits for the handlers under way, for the grace at most.
func (s *Server) waitHandlers() {
	done := make(chan struct{})
	go func() {
		s.handlers.Wait()
		close(done)
	}()
	t := time.NewTimer(s.lim.grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
