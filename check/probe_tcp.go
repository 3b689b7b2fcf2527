package check

import (
	"context"
	"net"
	"time"
)

// TCPProbe is a `tcp = "HOST:PORT"` check.
type TCPProbe struct {
	Addr string // HOST:PORT
}

// tcpKind is the registry's entry for TCPProbe.
func tcpKind() Kind {
	return Kind{
		Key: Key{Name: "tcp", Doc: "a `HOST:PORT` that heatd connects to itself",
			Value: Make(Reader.HostPort, func(addr string) Probe { return TCPProbe{Addr: addr} })},
		Form: `"HOST:PORT"`,
	}
}

// Kind is the config key of a tcp check.
func (TCPProbe) Kind() string { return "tcp" }

// Prepare makes the runs of a tcp check.
func (t TCPProbe) Prepare(spec *Spec, _ []string) Prober {
	return &nativeProber{probe: newTCPProber(t.Addr), timeout: spec.Timeout}
}

// tcpProber is a `tcp = "HOST:PORT"` check: it passes when a connection is
// established, which it closes at once (as `nc -z` does), sending nothing.
type tcpProber struct {
	addr       string
	host, port string // for the message of a failed connect
}

// newTCPProber prepares the check of addr, HOST:PORT.
func newTCPProber(addr string) *tcpProber {
	// The loader checked HOST:PORT; should it not split, the dial says why.
	host, port, _ := net.SplitHostPort(addr)
	return &tcpProber{addr: addr, host: host, port: port}
}

// kind heads the probe's output.
func (p *tcpProber) kind() string { return "tcp" }

// close has nothing to release: no connection outlives a run.
func (p *tcpProber) close() {}

// probe connects by deadline, cut short when ctx ends: established is
// passed.
func (p *tcpProber) probe(ctx context.Context, deadline time.Time) *failure {
	d := net.Dialer{Deadline: deadline}
	c, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return connectFailure(err, p.host, p.port)
	}
	// The connection was established: that is the whole test. An error
	// closing it says nothing about the service.
	_ = c.Close()
	return nil
}
