package control

import (
	"context"
	"net"
	"net/http"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// peerKey is the context key of a connection's peer credentials.
type peerKey struct{}

// peer is who is at the other end of a connection, as the kernel saw it
// when the client connected (SO_PEERCRED): a client cannot claim another
// user's identity, as it could in a request's body.
type peer struct {
	uid int
	ok  bool // the credentials were read
}

// withPeer is the http.Server's ConnContext: it reads the connection's
// peer credentials once, as it is accepted.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	p := peer{}
	if uc, ok := c.(*net.UnixConn); ok {
		if raw, err := uc.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) { //nolint:errcheck // a failed read leaves ok false
				if cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); err == nil {
					p = peer{uid: int(cred.Uid), ok: true}
				}
			})
		}
	}
	return context.WithValue(ctx, peerKey{}, p)
}

// peerOf is the peer of the request's connection.
func peerOf(r *http.Request) peer {
	p, _ := r.Context().Value(peerKey{}).(peer)
	return p
}

// operator reports whether the caller may change what heatd does (pause,
// resume, run, reload): root, or the user heatd itself runs as, who could
// signal or stop heatd anyway. status and beat need only the socket.
// When it may not, it answers 403 naming the need, and returns false.
func (s *Server) operator(w http.ResponseWriter, r *http.Request, verb string) (uid int, ok bool) {
	p := peerOf(r)
	switch {
	case !p.ok:
		writeJSON(w, http.StatusForbidden, ErrorReply{Error: verb + " needs root, and heatd could not tell who is asking"})
		return 0, false
	case p.uid != 0 && p.uid != s.self:
		writeJSON(w, http.StatusForbidden, ErrorReply{Error: verb + " needs root: you are uid " + strconv.Itoa(p.uid) +
			" (run heatctl with sudo)"})
		return p.uid, false
	}
	return p.uid, true
}

// selfUID is the user heatd runs as.
func selfUID() int { return os.Geteuid() }
