// Package control is heatd's control socket and its client: heatd serves
// its checks' live state and takes reload requests on a unix socket
// ([daemon] control_socket), and heatctl asks through a Client.
//
// The socket speaks HTTP/1.1 with JSON bodies (api.go has the format), so
// that `curl --unix-socket /run/heatd/heatd.sock http://heatd/v1/status`
// works as well as heatctl. A lock file beside the socket (SOCKET.lock)
// holds the heatd that owns it, so a second heatd is refused and a socket
// left by a crash is known to be stale.
package control
