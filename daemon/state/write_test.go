package state

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// renames counts, through inotify, the files renamed into dir under the
// name base from now until the returned function is called: each is one
// write of the state file.
func renames(t *testing.T, dir, base string) func() int {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MOVED_TO); err != nil {
		t.Fatal(err)
	}
	return func() int {
		n := 0
		buf := make([]byte, 64<<10)
		for {
			k, err := unix.Read(fd, buf)
			if errors.Is(err, unix.EAGAIN) {
				return n
			}
			if err != nil {
				t.Fatal(err)
			}
			for off := 0; off < k; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
					t.Fatal("inotify queue overflowed")
				}
				name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
				if string(bytes.TrimRight(name, "\x00")) == base {
					n++
				}
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}
}

// TestBurstCoalesces: a thousand changes at once (a pause of every
// check) are a handful of writes, not a thousand, and the file ends with
// all of them.
func TestBurstCoalesces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	count := renames(t, dir, "state.json")
	s, _ := open(t, path, false)
	now := time.Now()
	for i := range 1000 {
		s.Update(fmt.Sprintf("check-%d", i), pausedAt(now, "maintenance"))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	writes := count()
	t.Logf("1000 changes: %d writes", writes)
	if writes < 1 || writes > 10 {
		t.Errorf("1000 changes made %d writes, want 1 to 10", writes)
	}
	again, _ := open(t, path, false)
	for i := range 1000 {
		if again.Check(fmt.Sprintf("check-%d", i)).Pause == nil {
			t.Fatalf("check-%d lost its pause", i)
		}
	}
}

// TestAlwaysWhole: a reader that reads the file while it is rewritten
// over and over sees a whole version each time, old or new, never a part:
// what a kill -9 or a power loss at that moment would leave.
func TestAlwaysWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	s, _ := open(t, path, false)
	reason := strings.Repeat("a long reason ", 20)
	var stop atomic.Bool
	reads := make(chan error, 1)
	go func() {
		seen := map[int]bool{}
		for !stop.Load() {
			b, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				reads <- err
				return
			}
			entries, err := decode(b)
			if err != nil {
				reads <- fmt.Errorf("read a part of a version (%d bytes): %v", len(b), err)
				return
			}
			seen[len(entries)] = true
		}
		if len(seen) < 3 {
			reads <- fmt.Errorf("saw only %d versions: the test wrote too little to tell", len(seen))
			return
		}
		reads <- nil
	}()
	now := time.Now()
	for i := range 300 {
		s.Update(fmt.Sprintf("check-%d", i), pausedAt(now, reason))
		time.Sleep(time.Millisecond) // spaces the changes out, so they are many writes
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	if err := <-reads; err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the folder holds %d files, want only the state file", len(ents))
	}
}
