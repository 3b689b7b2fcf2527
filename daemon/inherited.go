package daemon

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeInheritedOnExec marks close-on-exec every descriptor above stderr
// that heatd was started with. A parent's descriptor left inheritable (a
// shell's redirection, a supervisor's socket) would otherwise pass into
// every check and script heatd starts, and on into the daemons a recovery
// script leaves running, holding files, pipes and sockets open that are
// not theirs. heatd itself keeps them open: it neither uses nor owns them,
// and a socket systemd passed (LISTEN_FDS) stays valid for whoever does.
// heatd's own descriptors are close-on-exec already, as Go opens them.
func closeInheritedOnExec() {
	// close_range (Linux 5.11) does it in one call; older kernels get
	// each descriptor marked in turn.
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	markEachCloseOnExec()
}

// markEachCloseOnExec marks every open descriptor above stderr
// close-on-exec, one at a time, as found in /proc/self/fd.
func markEachCloseOnExec() {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close() // its own descriptor is among the names, close-on-exec and closed
	for _, name := range names {
		if fd, err := strconv.Atoi(name); err == nil && fd > 2 {
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC) //nolint:errcheck // a closed one needs nothing
		}
	}
}
