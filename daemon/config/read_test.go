package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// /proc/kmsg is a "regular file" that blocks a read until the kernel logs
// something (and a read takes it from the kernel's log): as the main file
// or an include, it is refused before any read, at once.
func TestKernelFilesAreRefused(t *testing.T) {
	if _, err := os.Stat("/proc/kmsg"); err != nil {
		t.Skip("no /proc/kmsg here")
	}
	dir := t.TempDir()
	main := filepath.Join(dir, "heat.toml")
	os.WriteFile(main, []byte("[daemon]\ninclude = [\"/proc/kmsg\", \"/sys/kernel/mm/transparent_hugepage/enabled\"]\n"), 0o644)
	for _, c := range []struct{ path, want string }{
		{"/proc/kmsg", "/proc/kmsg: cannot be read: a file of the kernel's (/proc or /sys), not a configuration"},
		{main, "/proc/kmsg: cannot be read: "},
	} {
		done := make(chan error, 1)
		go func() { _, err := loadAs(c.path, false); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load(%s): %v, want %q", c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Load(%s) hung", c.path)
		}
	}
}
