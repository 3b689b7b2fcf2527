package action

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWalkOpen opens paths one name at a time, as kernels without openat2
// do and as every path with a link does, and checks that each opens the
// file the kernel's own lookup reaches, or fails as it should.
func TestWalkOpen(t *testing.T) {
	needRoot(t)
	t.Parallel()
	d := t.TempDir()
	mkdir(t, d+"/etc", 0o755, 0)
	mkdir(t, d+"/svc", 0o755, nobody)
	if err := os.WriteFile(d+"/etc/file", []byte("root's"), 0o644); err != nil {
		t.Fatal(err)
	}
	link(t, "etc", d+"/rel", 0)
	link(t, d+"/etc/file", d+"/abs", 0)
	link(t, "/", d+"/top", 0)
	link(t, "rel/../abs", d+"/chain", 0)
	link(t, "loop", d+"/loop", 0)
	link(t, "nowhere", d+"/dangling", 0)
	link(t, d+"/etc", d+"/svc/etc", 0)
	for _, c := range []struct {
		path string
		real string // "": as path
		err  string // what the open fails with; "": opens real
	}{
		{path: "etc/file"},
		{path: "etc/../etc/./file", real: "etc/file"},
		{path: "rel/file", real: "etc/file"},
		{path: "abs", real: "etc/file"},
		{path: "chain", real: "etc/file"},
		{path: "top" + d + "/rel/file", real: "etc/file"},
		{path: "rel/..", real: "."},
		{path: "etc/file/x", err: "not a directory"},
		{path: "etc/missing", err: "no such file or directory"},
		{path: "missing/file", err: "no such file or directory"},
		{path: "dangling", err: "no such file or directory"},
		{path: "loop", err: "too many levels of symbolic links"},
		{path: "svc/etc/file", err: "$D/svc/etc is a symbolic link in $D/svc, which uid 65534 owns"},
	} {
		path := d + "/" + c.path // not cleaned: the walk meets the ".." and "." itself
		fd, real, err := walkOpen(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0, followLast)
		if c.err != "" {
			if err == nil {
				unix.Close(fd)
			}
			if want := strings.ReplaceAll(c.err, "$D", d); err == nil || err.Error() != want {
				t.Errorf("walkOpen(%s): %v, want %s", c.path, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("walkOpen(%s): %v", c.path, err)
			continue
		}
		want := path
		if c.real != "" {
			want = filepath.Join(d, c.real)
		}
		if real != want {
			t.Errorf("walkOpen(%s) opened %s, want %s", c.path, real, want)
		}
		var got, kernel unix.Stat_t
		if err := unix.Fstat(fd, &got); err != nil || unix.Stat(path, &kernel) != nil || got.Ino != kernel.Ino {
			t.Errorf("walkOpen(%s) opened inode %d, the kernel's lookup reaches %d", c.path, got.Ino, kernel.Ino)
		}
		unix.Close(fd)
	}
}

// Without followLast, a link in the last name fails the open, root's or
// not, as a heat log's must; links in folders are still followed.
func TestWalkOpenLastLink(t *testing.T) {
	needRoot(t)
	t.Parallel()
	d := t.TempDir()
	mkdir(t, d+"/etc", 0o755, 0)
	link(t, "etc", d+"/rel", 0)
	link(t, "file", d+"/etc/link", 0)
	if err := os.WriteFile(d+"/etc/file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := walkOpen(d+"/rel/link", unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0, 0); !errors.Is(err, unix.ELOOP) {
		t.Errorf("walkOpen(rel/link): %v, want ELOOP", err)
	}
	fd, real, err := walkOpen(d+"/rel/file", unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0, 0)
	if err != nil || real != d+"/etc/file" {
		t.Errorf("walkOpen(rel/file): %s, %v", real, err)
	}
	unix.Close(fd)
}

// With makeFolders, the walk makes the folders missing, as root's, and creates
// the file in the last.
func TestWalkOpenMkdirs(t *testing.T) {
	needRoot(t)
	t.Parallel()
	d := t.TempDir()
	path := d + "/a/b/web.log"
	fd, real, err := walkOpen(path, heatLogFlags, heatLogMode, makeFolders)
	if err != nil || real != path {
		t.Fatalf("walkOpen: %s, %v", real, err)
	}
	unix.Close(fd)
	for _, p := range []string{d + "/a", d + "/a/b"} {
		if st, err := os.Stat(p); err != nil || !st.IsDir() || st.Mode().Perm() != heatLogDirMode {
			t.Errorf("%s: %v, %v", p, st, err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

// OpenTrusted takes its one call to openat2 for a path with no link, and
// walks for one with a link; both reach the same file.
func TestOpenTrusted(t *testing.T) {
	needRoot(t)
	t.Parallel()
	d := t.TempDir()
	mkdir(t, d+"/run", 0o755, 0)
	if err := os.WriteFile(d+"/run/web.pid", []byte("42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link(t, "run", d+"/var", 0)
	for path, real := range map[string]string{
		d + "/run/web.pid":          d + "/run/web.pid",
		d + "/var/web.pid":          d + "/run/web.pid",
		d + "/var/../var/./web.pid": d + "/run/web.pid",
	} {
		f, err := OpenTrusted(path)
		if err != nil {
			t.Errorf("OpenTrusted(%s): %v", path, err)
			continue
		}
		if f.Name() != real {
			t.Errorf("OpenTrusted(%s) opened %s, want %s", path, f.Name(), real)
		}
		f.Close()
	}
	own(t, d+"/var", 0, nobody)
	var link *LinkError
	if _, err := OpenTrusted(d + "/var/web.pid"); !errors.As(err, &link) || link.Link != d+"/var" {
		t.Errorf("OpenTrusted through nobody's link: %v", err)
	}
}
