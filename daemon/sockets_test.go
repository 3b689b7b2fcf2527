package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The folders listenControl made for a control socket go at Close while
// empty, deepest first; a file someone else left keeps its folder and
// those above; a bind that fails leaves none of them behind.
func TestControlSocketFolders(t *testing.T) {
	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }

	t.Run("made and removed", func(t *testing.T) {
		base := t.TempDir()
		c, err := listenControl(filepath.Join(base, "run", "heatd", "heatd.sock"))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if exists(filepath.Join(base, "run")) || !exists(base) {
			t.Errorf("after Close: %s/run there: %v, %s there: %v; want only the latter",
				base, exists(filepath.Join(base, "run")), base, exists(base))
		}
	})

	t.Run("not empty", func(t *testing.T) {
		base := t.TempDir()
		dir := filepath.Join(base, "run", "heatd")
		c, err := listenControl(filepath.Join(dir, "heatd.sock"))
		if err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "other")
		if err := os.WriteFile(other, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if !exists(other) {
			t.Errorf("%s was removed with the folder", other)
		}
		if exists(filepath.Join(dir, "heatd.sock")) || exists(filepath.Join(dir, "heatd.sock.lock")) {
			t.Errorf("the socket or its lock is left in %s", dir)
		}
	})

	t.Run("bind fails", func(t *testing.T) {
		base := t.TempDir()
		dir := filepath.Join(base, "run")
		// Too long for a socket address, not for a file: the folder and
		// the lock are made, then bind refuses.
		sock := filepath.Join(dir, strings.Repeat("s", 120))
		if c, err := listenControl(sock); err == nil {
			c.Close()
			t.Fatalf("listenControl(%d bytes) bound", len(sock))
		}
		if exists(dir) {
			left, _ := os.ReadDir(dir)
			t.Errorf("after a failed bind, %s is there, holding %v", dir, left)
		}
	})
}
