package systemd

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The container's root file system: Debian's minbase plus
//   - systemd and systemd-sysv: PID 1 and /sbin/init;
//   - dbus: systemctl and journalctl work without it, but a booted Debian
//     has it, and logind wants it;
//   - procps: pgrep and kill for the test;
//   - logrotate: to rotate the heat logs under a running heatd.
const (
	suite    = "bookworm"
	variant  = "minbase"
	cacheDir = "/var/cache/heatd-systemd-test"
)

var rootfsPackages = []string{"systemd", "systemd-sysv", "dbus", "procps", "logrotate"}

// debootstrapTimeout bounds the one slow step: about 40 s here, minutes on
// a slow mirror.
const debootstrapTimeout = 6 * time.Minute

// rootfs returns a debootstrapped root file system, building it on the first
// call for this package list and mirror. The container never writes to it
// (--volatile=overlay), so one copy serves every run. A lock keeps two test
// runs from building it at once; a half-built tree is never under the final
// name.
func rootfs(t *testing.T) string {
	t.Helper()
	mirror := debianMirror()
	sum := sha256.Sum256([]byte(strings.Join([]string{suite, variant, mirror, strings.Join(rootfsPackages, ",")}, "\n")))
	name := "rootfs-" + hex.EncodeToString(sum[:])[:12]
	dir := filepath.Join(cacheDir, name)

	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(cacheDir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sbin", "init")); err == nil {
		t.Logf("root file system: %s (cached)", dir)
		return dir
	}

	// Under the lock, anything else here is a build that died or a root
	// file system for another package list: both go.
	old, _ := filepath.Glob(filepath.Join(cacheDir, "*"))
	for _, p := range old {
		if filepath.Base(p) != ".lock" {
			os.RemoveAll(p)
		}
	}
	tmp, err := os.MkdirTemp(cacheDir, "building-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("debootstrap %s from %s into %s (once; later runs reuse it)", suite, mirror, dir)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), debootstrapTimeout)
	defer cancel()
	// In a mount namespace of its own: debootstrap mounts /proc and /sys in
	// the target, and a failed run could leave them mounted under a tree
	// this function then removes.
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private",
		"debootstrap", "--variant="+variant, "--include="+strings.Join(rootfsPackages, ","),
		suite, tmp, mirror)
	cmd.Env = hostEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.RemoveAll(tmp)
		t.Fatalf("debootstrap: %v\n%s", err, tail(string(out), 30))
	}
	// MkdirTemp made it 0700: it is the container's / .
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		t.Fatal(err)
	}
	t.Logf("debootstrap took %v", time.Since(start).Round(time.Second))
	return dir
}

// debianMirror is $HEATD_DEBIAN_MIRROR, or the first Debian archive apt's
// sources use for the suite, or deb.debian.org.
func debianMirror() string {
	if m := os.Getenv("HEATD_DEBIAN_MIRROR"); m != "" {
		return m
	}
	files := []string{"/etc/apt/sources.list"}
	for _, ext := range []string{"*.list", "*.sources"} {
		more, _ := filepath.Glob(filepath.Join("/etc/apt/sources.list.d", ext))
		files = append(files, more...)
	}
	for _, f := range files {
		if m := mirrorIn(f); m != "" {
			return m
		}
	}
	return "http://deb.debian.org/debian"
}

// mirrorIn finds a URI serving the suite in a one-line (.list) or deb822
// (.sources) apt source file.
func mirrorIn(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var uris, suites []string
	found := func() string {
		for _, s := range suites {
			if s == suite && len(uris) > 0 {
				return uris[0]
			}
		}
		return ""
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		fields := strings.Fields(line)
		switch {
		case line == "": // the end of a deb822 stanza
			if m := found(); m != "" {
				return m
			}
			uris, suites = nil, nil
		case strings.HasPrefix(line, "#"):
		case fields[0] == "deb":
			fields = fields[1:]
			if len(fields) > 0 && strings.HasPrefix(fields[0], "[") {
				for len(fields) > 0 && !strings.HasSuffix(fields[0], "]") {
					fields = fields[1:]
				}
				fields = fields[1:]
			}
			if len(fields) >= 2 && fields[1] == suite {
				return fields[0]
			}
		case strings.EqualFold(fields[0], "URIs:"):
			uris = fields[1:]
		case strings.EqualFold(fields[0], "Suites:"):
			suites = fields[1:]
		}
	}
	return found()
}

// hostEnv is the environment for the tools the test runs: a plain PATH, and
// nothing of the caller's that could change what they do.
func hostEnv() []string {
	return []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG=C.UTF-8",
		"DEBIAN_FRONTEND=noninteractive",
		"SYSTEMD_PAGER=",
		"SYSTEMD_COLORS=0",
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
