// Package systemd tests heatd's Debian package under a real systemd: it
// boots Debian's own systemd as PID 1 of a systemd-nspawn container, installs
// the .deb there, and checks with systemctl and journalctl that heatd starts
// (READY=1, STATUS=), reloads (RELOADING=1, READY=1; systemctl reload returns
// once the new file runs, and fails on a rejected file, which keeps the old
// checks), holds a paused check's steps across systemctl restart through its
// state file and lets only root pause, is restarted by the watchdog when frozen, stops cleanly with
// no check process left behind, logs JSON events into the journal, works with
// logrotate, and that the maintainer scripts enable, start, stop and purge it,
// in a chroot too.
//
// It needs root and runs only with HEATD_SYSTEMD_TEST=1 and HEATD_DEB set to
// the package: `make systemd-test` installs systemd-nspawn and debootstrap,
// builds the package and runs it. The container's root file system is
// debootstrapped once into /var/cache/heatd-systemd-test and then reused;
// the container runs on a throwaway overlay, in a cgroup, mount namespace
// and /run of its own, and the test removes all of it, failing or not. If
// the test process itself is killed (SIGKILL, go test's -timeout), a guard
// process it left kills the container and removes its cgroups; the next run
// removes anything even that missed.
package systemd
