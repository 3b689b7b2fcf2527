package daemon

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Both ways of marking inherited descriptors, close_range and the walk of
// /proc/self/fd that older kernels get, leave none inheritable.
func TestInheritedDescriptorsMarkedCloseOnExec(t *testing.T) {
	for name, mark := range map[string]func(){"close_range": closeInheritedOnExec, "each": markEachCloseOnExec} {
		var p [2]int
		if err := unix.Pipe(p[:]); err != nil { // inheritable, as a parent's would be
			t.Fatal(err)
		}
		mark()
		for _, fd := range p {
			flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			if err != nil || flags&unix.FD_CLOEXEC == 0 {
				t.Errorf("%s: descriptor %d still inheritable (%#x, %v)", name, fd, flags, err)
			}
			unix.Close(fd)
		}
	}
}
