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
	if err := (HeatLog{Path: os.DevNull, Strict: true}).Append(1, []byte("x")); os.Geteuid() == 0 && err != nil {
		t.Errorf("heat_log = /dev/null, strict: %v", err)
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

// TestHeatLogStrict writes, strictly, heat logs that a service user tried
// to aim elsewhere: its log folder swapped for a link to root's folder, or
// a heat log it made beforehand (or linked to root's file) in a folder all
// may write. Root's files stay untouched; links root placed in its own
// folders, and folders missing, still work.
func TestHeatLogStrict(t *testing.T) {
	needRoot(t)
	t.Parallel()
	const linkRefusal = "heat log %[1]s: refused (strict_permissions): %[2]s, and heatd writes a heat log through no link " +
		"that a user other than root could have placed, since that user could make heatd write anywhere; " +
		"name a heat log folder without that link"
	for _, c := range []struct {
		name    string
		setup   func(t *testing.T, d string) // d holds root/ (root's folder, with secret) and svc/ (a service user's folder)
		log     string
		refused string // %[1]s is the heat log, $D the test's folder; "": written
	}{
		{
			name:    "the user's log folder swapped for a link",
			setup:   func(t *testing.T, d string) { link(t, d+"/root", d+"/svc/logs", nobody) },
			log:     "svc/logs/secret",
			refused: fmt.Sprintf(linkRefusal, "%[1]s", "$D/svc/logs is a symbolic link owned by uid 65534, not root"),
		},
		{
			name:    "a folder link of root's in the user's folder",
			setup:   func(t *testing.T, d string) { link(t, d+"/root", d+"/svc/logs", 0) },
			log:     "svc/logs/new.log",
			refused: fmt.Sprintf(linkRefusal, "%[1]s", "$D/svc/logs is a symbolic link in $D/svc, which uid 65534 owns"),
		},
		{
			// A folder of root's that the service's group may write, as
			// the root-safety rule allows. (In a sticky folder, the
			// kernel's fs.protected_regular may refuse such a file first.)
			name: "a heat log the user made beforehand in a folder its group may write",
			setup: func(t *testing.T, d string) {
				mkdir(t, d+"/shared", 0o775, 0)
				if err := os.Chown(d+"/shared", 0, nobody); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(d+"/shared/web.log", nil, 0o600); err != nil {
					t.Fatal(err)
				}
				own(t, d+"/shared/web.log", 0o666, nobody)
			},
			log: "shared/web.log",
			refused: "heat log %[1]s is owned by uid 65534, not root, so another user made it and could read what heatd writes: " +
				"refused (strict_permissions); remove it, or chown root %[1]s",
		},
		{
			name: "a hard link to root's file in a sticky folder all may write",
			setup: func(t *testing.T, d string) {
				mkdir(t, d+"/shared", 0o777|os.ModeSticky, 0)
				if err := os.Link(d+"/root/secret", d+"/shared/web.log"); err != nil {
					t.Fatal(err)
				}
			},
			log: "shared/web.log",
			refused: "heat log %[1]s has 2 names (hard links), so its lines could land in another file: " +
				"refused (strict_permissions); remove it, and let heatd create it",
		},
		{
			name: "root's link in root's folder, as /var/run -> /run",
			setup: func(t *testing.T, d string) {
				mkdir(t, d+"/var", 0o755, 0)
				link(t, "../root", d+"/var/log", 0)
			},
			log: "var/log/web.log",
		},
		{
			// A folder may be root's link; the heat log itself never is.
			name:    "root's link as the heat log",
			setup:   func(t *testing.T, d string) { link(t, "secret", d+"/root/web.log", 0) },
			log:     "root/web.log",
			refused: "heat log %[1]s is a symbolic link, which heatd never follows (name the real file)",
		},
		{
			name: "missing folders",
			log:  "svc/a/b/web.log",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := t.TempDir()
			mkdir(t, d+"/root", 0o755, 0)
			mkdir(t, d+"/svc", 0o755, nobody)
			if err := os.WriteFile(d+"/root/secret", []byte("keep\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if c.setup != nil {
				c.setup(t, d)
			}
			before, _ := os.ReadDir(d + "/root")
			log := HeatLog{Path: filepath.Join(d, c.log), Strict: true}
			want := "<nil>"
			if c.refused != "" {
				want = strings.ReplaceAll(fmt.Sprintf(c.refused, log.Path), "$D", d)
			}
			if got := fmt.Sprint(log.Append(7, []byte("out"))); got != want {
				t.Errorf("Append:\n got %s\nwant %s", got, want)
			}
			f, err := log.Open()
			if got := fmt.Sprint(err); got != want {
				t.Errorf("Open:\n got %s\nwant %s", got, want)
			}
			if err == nil {
				f.Close()
			}
			if got, _ := os.ReadFile(d + "/root/secret"); string(got) != "keep\n" {
				t.Errorf("root's file was written: %q", got)
			}
			if got, err := os.ReadFile(log.Path); c.refused == "" && string(got) != "7: out\n" {
				t.Errorf("heat log %q, %v; want the line", got, err)
			}
			if entries, _ := os.ReadDir(d + "/root"); c.refused != "" && len(entries) != len(before) {
				t.Errorf("root's folder has %d files, want only its own %d", len(entries), len(before))
			}
			if st, err := os.Stat(filepath.Dir(log.Path)); c.name == "missing folders" &&
				(err != nil || st.Mode().Perm() != heatLogDirMode || st.Sys().(*syscall.Stat_t).Uid != 0) {
				t.Errorf("created folder: %v, %v", st, err)
			}
		})
	}
}

// Not strict (not root, or strict_permissions = false), a heat log folder
// may be a link, as before.
func TestHeatLogNotStrictFollowsFolders(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	if err := os.Mkdir(d+"/real", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", d+"/logs"); err != nil {
		t.Fatal(err)
	}
	if err := (HeatLog{Path: d + "/logs/web.log"}).Append(7, []byte("out")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(d + "/real/web.log"); string(got) != "7: out\n" {
		t.Errorf("heat log %q", got)
	}
}

// BenchmarkHeatLogAppend measures one failed run's lines written to a heat
// log at /tmp/…/var/log/heat/web.log: as before (not strict), strictly
// (openat2 with no link on the way) and strictly through a link root placed
// (the walk, one name at a time).
func BenchmarkHeatLogAppend(b *testing.B) {
	d := b.TempDir()
	if err := os.MkdirAll(d+"/var/log/heat", 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.Symlink("var", d+"/link"); err != nil {
		b.Fatal(err)
	}
	text := []byte("curl: (7) Failed to connect to localhost port 8000: Connection refused\n")
	for _, c := range []struct {
		name string
		log  HeatLog
	}{
		{"loose", HeatLog{Path: d + "/var/log/heat/loose.log"}},
		{"strict", HeatLog{Path: d + "/var/log/heat/strict.log", Strict: true}},
		{"strict-link", HeatLog{Path: d + "/link/log/heat/link.log", Strict: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.log.Strict && os.Geteuid() != 0 {
				b.Skip("a strict heat log trusts root's links only: run as root")
			}
			for b.Loop() {
				if err := c.log.Append(1671370576, text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
