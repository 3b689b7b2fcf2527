package action

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestPrefixLines(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"a", "7: a\n"},
		{"a\n", "7: a\n"},
		{"a\nb", "7: a\n7: b\n"},
		{"a\n\nb\n", "7: a\n7: \n7: b\n"},
		{"\n", "7: \n"},
		{"tab\tand\rcr\n", "7: tab\tand\rcr\n"},
	} {
		if got := string(prefixLines(7, []byte(c.in))); got != c.want {
			t.Errorf("prefixLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHeatLogAppend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "a", "b", "web.log")}
	if err := log.Append(1671370576, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(log.Path)); err == nil {
		t.Error("empty text created the log")
	}
	if err := log.Append(1671370576, []byte("curl: (7) refused\nsecond")); err != nil {
		t.Fatal(err)
	}
	if err := log.Append(1671370580, []byte("third\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(log.Path)
	want := "1671370576: curl: (7) refused\n1671370576: second\n1671370580: third\n"
	if string(got) != want {
		t.Errorf("heat log %q, want %q", got, want)
	}
	st, err := os.Stat(log.Path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&^0o640 != 0 {
		t.Errorf("heat log mode %v: others must not read it", perm)
	}
	if st, _ := os.Stat(filepath.Join(dir, "a")); !st.IsDir() || st.Mode().Perm()&^0o755 != 0 {
		t.Errorf("created folder mode %v", st.Mode())
	}
}

func TestHeatLogRefusesSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	if err := os.Symlink(victim, log.Path); err != nil {
		t.Fatal(err)
	}
	if err := log.Append(1, []byte("x")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Append through a symlink: %v", err)
	}
	if f, err := log.Open(); err == nil {
		f.Close()
		t.Error("Open followed a symlink")
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep\n" {
		t.Errorf("the symlink's target was written: %q", got)
	}
}

func TestHeatLogRefusesFIFO(t *testing.T) {
	t.Parallel()
	log := HeatLog{Path: filepath.Join(t.TempDir(), "web.log")}
	if err := unix.Mkfifo(log.Path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- log.Append(1, []byte("x")) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Append wrote to a FIFO")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Append hangs on a FIFO")
	}
}

func TestHeatLogDevNull(t *testing.T) {
	t.Parallel()
	if err := (HeatLog{Path: os.DevNull}).Append(1, []byte("x")); err != nil {
		t.Errorf("heat_log = /dev/null: %v", err)
	}
}

func TestHeatLogConcurrentAppends(t *testing.T) {
	t.Parallel()
	log := HeatLog{Path: filepath.Join(t.TempDir(), "web.log")}
	const writers, appends, lines = 8, 40, 30
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for a := range appends {
				var b strings.Builder
				for l := range lines {
					fmt.Fprintf(&b, "w%d a%d l%d %s\n", w, a, l, strings.Repeat("z", 100))
				}
				if err := log.Append(9, []byte(b.String())); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	data, _ := os.ReadFile(log.Path)
	got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(got) != writers*appends*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*appends*lines)
	}
	for i := 0; i < len(got); i += lines {
		var w, a int
		if _, err := fmt.Sscanf(got[i], "9: w%d a%d l0", &w, &a); err != nil {
			t.Fatalf("line %d %q does not start an append", i, got[i])
		}
		for l := range lines {
			if want := fmt.Sprintf("9: w%d a%d l%d ", w, a, l); !strings.HasPrefix(got[i+l], want) {
				t.Fatalf("line %d is %q, want %q...: appends interleaved", i+l, got[i+l][:20], want)
			}
		}
	}
}

func TestHeatLogOpen(t *testing.T) {
	// Not parallel: it counts this process's descriptors.
	log := HeatLog{Path: filepath.Join(t.TempDir(), "web.log")}
	fds := func() int { e, _ := os.ReadDir("/proc/self/fd"); return len(e) }
	before := fds()
	if err := log.Append(1, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if after := fds(); after != before {
		t.Errorf("%d descriptors before Append, %d after: the log must not be held", before, after)
	}
	f, err := log.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if flags&unix.O_APPEND == 0 || flags&unix.O_NONBLOCK != 0 {
		t.Errorf("flags %#o: want O_APPEND, blocking", flags)
	}
	fdFlags, _ := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
	if fdFlags&unix.FD_CLOEXEC == 0 {
		t.Error("the descriptor would leak into every process heatd starts")
	}
	if _, err := f.WriteString("b\n"); err != nil {
		t.Fatal(err)
	}
	if err := log.Append(2, []byte("c")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(log.Path); string(got) != "1: a\nb\n2: c\n" {
		t.Errorf("heat log %q", got)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		t.Errorf("Open returned no regular file: %v", err)
	}
}
