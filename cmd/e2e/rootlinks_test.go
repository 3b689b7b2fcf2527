package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A service user swaps, while heatd runs as root, its pidfile for a link
// to root's pidfile (ln -s root.pid t && mv -T t app.pid) and heatd's log
// folder, in a folder its group may write, for a link to root's folder:
// root's process receives no signal, root's folder no file, and
// signal_failed and heat_log_failed name the link.
func TestHeatdRootLinks(t *testing.T) {
	requireRoot(t, "the service user is played with files chowned to uid 65534")
	dir := t.TempDir()
	recv, pid := receiver(t, dir)
	mkdir := func(path string, mode os.FileMode, uid, gid int) {
		t.Helper()
		if err := os.Mkdir(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	// swap puts a link of the service user's to target in place of path.
	swap := func(target, path string) {
		t.Helper()
		tmp := filepath.Join(filepath.Dir(path), "t")
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(tmp, faultNobody, faultNobody); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(path)
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	mkdir(dir+"/run", 0o755, 0, 0)
	mkdir(dir+"/svc", 0o755, faultNobody, faultNobody)
	mkdir(dir+"/etc", 0o755, 0, 0)
	mkdir(dir+"/var", 0o775, 0, faultNobody) // root's, its group may write: the root-safety rule accepts it
	mkdir(dir+"/var/heat", 0o755, 0, 0)
	if err := os.WriteFile(dir+"/run/root.pid", []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/svc/app.pid", []byte("999999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir+"/svc/app.pid", faultNobody, faultNobody); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "heat.toml")
	if err := os.WriteFile(config, []byte(`[daemon]
log_dir = "var/heat"
control_socket = "heatd.sock"

[check.web]
command = "echo down >&2; false"
interval = "200ms"
pidfile = "svc/app.pid"
signal = "USR1"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("a first failure logged", 5*time.Second, true, func(l []string) bool {
		return count(l, "signal_failed", "web") > 0
	})
	if _, err := os.Stat(dir + "/var/heat/web.log"); err != nil {
		t.Fatalf("the heat log before the swap: %v", err)
	}
	swap(dir+"/run/root.pid", dir+"/svc/app.pid")
	swap(dir+"/etc", dir+"/var/heat")
	found := func(l []string, msg, text string) bool {
		for _, e := range events(l) {
			if err, _ := e["error"].(string); e["msg"] == msg && strings.Contains(err, text) {
				return true
			}
		}
		return false
	}
	heatd.waitFor("refusals naming the links", 5*time.Second, true, func(l []string) bool {
		return found(l, "signal_failed", dir+"/svc/app.pid is a symbolic link owned by uid 65534, not root") &&
			found(l, "heat_log_failed", dir+"/var/heat is a symbolic link owned by uid 65534, not root")
	})
	heatd.stop(syscall.SIGTERM)
	if got := recv.lines(false); len(got) > 1 {
		t.Errorf("root's process was signalled: %q", got)
	}
	if entries, _ := os.ReadDir(dir + "/etc"); len(entries) > 0 {
		t.Errorf("heatd wrote in root's folder through the link: %v", entries)
	}
}
