package action

import (
	"fmt"
	"slices"
)

// stderrCapture keeps the first and the last StderrKeep bytes written to it
// and counts the rest, so a check that prints without end costs at most
// 2×StderrKeep of memory. It is written and read by the run's goroutine.
type stderrCapture struct {
	head  []byte // the first bytes, up to StderrKeep
	ring  []byte // the last bytes, a ring of StderrKeep once anything passed head
	pos   int    // where the next byte goes in ring
	kept  int    // bytes in ring, up to StderrKeep
	total int64  // bytes written in all
}

func (c *stderrCapture) Write(p []byte) (int, error) {
	n := len(p)
	c.total += int64(n)
	if room := StderrKeep - len(c.head); room > 0 {
		k := min(room, len(p))
		c.head = append(c.head, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	if c.ring == nil {
		c.ring = make([]byte, StderrKeep)
	}
	if len(p) > StderrKeep {
		p = p[len(p)-StderrKeep:]
	}
	k := copy(c.ring[c.pos:], p)
	copy(c.ring, p[k:])
	c.pos = (c.pos + len(p)) % StderrKeep
	c.kept = min(c.kept+len(p), StderrKeep)
	return n, nil
}

// Bytes is what was kept: everything, or the head, a line saying how many
// bytes were dropped, and the tail. The marker starts a line of its own even
// when the head ends mid-line, so each heat log line stays whole.
func (c *stderrCapture) Bytes() []byte {
	tail := c.ring[:c.kept]
	if c.kept == StderrKeep {
		tail = append(slices.Clip(c.ring[c.pos:]), c.ring[:c.pos]...)
	}
	dropped := c.total - int64(len(c.head)) - int64(c.kept)
	out := slices.Clone(c.head)
	if dropped > 0 {
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		out = fmt.Appendf(out, "[… %d bytes dropped …]\n", dropped)
	}
	return append(out, tail...)
}
