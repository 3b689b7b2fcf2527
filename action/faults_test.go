package action

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Faults of the filesystem under a heat log, produced for real on a small
// tmpfs, and output that does not end its last line: each run's lines must
// still start lines of their own.

// smallTmpfs mounts a tmpfs of size bytes on a new folder, for the test.
func smallTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs: run the tests as root to cover it")
	}
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
	})
	return dir
}

// fillUpTo writes a file of pages into dir until the filesystem has no
// more than leave pages free.
func fillUpTo(t *testing.T, dir string, leave int) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for {
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		if st.Bavail <= uint64(leave) {
			return path
		}
		if _, err := f.Write(page); err != nil {
			t.Fatal(err)
		}
	}
}

// A full filesystem: a run's output that does not fit is refused whole
// (ENOSPC), never written in part, which would leave half a line for the
// next run's lines to continue; what fits in the room left is written; once
// there is room again the log goes on, every line whole.
func TestHeatLogFullFilesystem(t *testing.T) {
	dir := smallTmpfs(t, "64k")
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	if err := log.Append(1000, []byte("before\n")); err != nil {
		t.Fatal(err)
	}
	filler := fillUpTo(t, dir, 0)
	// The log's page has room for 4 KiB less "1000: before\n", not for more.
	big := strings.Repeat("x", 3000) + "\n" + strings.Repeat("y", 3000) + "\n"
	if err := log.Append(1001, []byte(big)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append of 6 KB on a full filesystem: %v, want ENOSPC", err)
	}
	if err := log.Append(1002, []byte("fits\n")); err != nil {
		t.Fatalf("Append of what fits in the log's last page: %v", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := log.Append(1003, []byte(big)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log.Path)
	if want := "1000: before\n1002: fits\n1003: " + strings.Repeat("x", 3000) + "\n1003: " + strings.Repeat("y", 3000) + "\n"; string(b) != want {
		t.Errorf("heat log after a full filesystem:\n%q\nwant:\n%q", b, want)
	}
}

// A read-only filesystem: Append and Open say so; nothing is written.
func TestHeatLogReadOnlyFilesystem(t *testing.T) {
	dir := smallTmpfs(t, "64k")
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	if err := log.Append(1000, []byte("before\n")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_REMOUNT|unix.MS_RDONLY, "size=64k"); err != nil {
		t.Fatal(err)
	}
	if err := log.Append(1001, []byte("lost\n")); !errors.Is(err, syscall.EROFS) {
		t.Errorf("Append on a read-only filesystem: %v, want EROFS", err)
	}
	if f, err := log.Open(); !errors.Is(err, syscall.EROFS) {
		t.Errorf("Open on a read-only filesystem: %v, want EROFS", err)
		f.Close()
	}
	// A script runs all the same, its output going nowhere.
	out, logErr := RunScript(context.Background(), Script{Kind: "fail", Log: log, Dir: t.TempDir(),
		Path: writeScript(t, t.TempDir(), "echo hi\n"), Timeout: 5 * time.Second})
	if out.StartErr != nil || out.Code != 0 || !errors.Is(logErr, syscall.EROFS) {
		t.Errorf("a fail script with a read-only heat log: %+v, logErr %v", out, logErr)
	}
	if b, _ := os.ReadFile(log.Path); string(b) != "1000: before\n" {
		t.Errorf("heat log %q", b)
	}
}

// A script whose output ends without a newline: heatd's closing line
// starts a line of its own all the same, and so does the next run's.
func TestRunScriptOutputWithoutNewline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	s := Script{Kind: "fail", Log: log, Dir: dir, Env: Environ(os.Environ(), nil, "web"),
		Path: writeScript(t, dir, "printf 'no newline'\n")}
	begin := time.Now()
	if out, logErr := RunScript(context.Background(), s); out.Code != 0 || logErr != nil {
		t.Fatalf("code %d, logErr %v", out.Code, logErr)
	}
	if err := log.Append(2000, []byte("next run\n")); err != nil {
		t.Fatal(err)
	}
	lines := logLines(t, log.Path, begin, time.Now())
	u := strings.Split(lines[0], ":")[0]
	want := []string{u + ": fail script started", "no newline", u + ": fail script exited with code 0", "2000: next run"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("heat log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
