package check

import (
	"os"
	"testing"
	"time"
)

// The command name may hold spaces and parentheses; the fields are
// counted after the last ')'.
func TestParseProcStat(t *testing.T) {
	line := "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 3 0 987654 123456789 300 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	got, err := parseProcStat([]byte(line), 4096)
	if want := (procStat{cpuTicks: 175, start: 987654, rss: 300 * 4096}); err != nil || got != want {
		t.Errorf("parseProcStat = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "4242 no name", "4242 (x) S 1 2 3", "4242 (x) S 1 4242 4242 0 -1 0 0 0 0 0 x 25 0 0 20 0 3 0 1 2 300"} {
		if _, err := parseProcStat([]byte(bad), 4096); err == nil {
			t.Errorf("parseProcStat(%q) did not fail", bad)
		}
	}
}

// The descriptors counted are this process's own, by the folder's size
// where the kernel gives it, and by listing them as older kernels need.
func TestCountFDs(t *testing.T) {
	before, err := countFDs(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var files []*os.File
	for range 300 { // more than one getdents buffer holds
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	after, err := countFDs(os.Getpid())
	if err != nil || after != before+300 {
		t.Errorf("countFDs = %d, %v after opening 300; before %d", after, err, before)
	}
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	// Each sees the folder's own descriptor, open while it counts.
	if listed, err := listFDs(int(dir.Fd()), dir.Name()); err != nil || listed != after {
		t.Errorf("listFDs = %d, %v; want %d", listed, err, after)
	}
}

// CPU is averaged against an earlier sample of the same process only: not
// at the first run, not against another process with the same pid, and
// not over a window too short to measure.
func TestProcessCPUWindow(t *testing.T) {
	var p processProber
	if _, ok := p.cpu(7, procStat{start: 1, cpuTicks: 10}); ok {
		t.Error("the first sample was judged")
	}
	p.prev.at = time.Now().Add(-time.Second)
	if cpu, ok := p.cpu(7, procStat{start: 1, cpuTicks: 60}); !ok || cpu < 45 || cpu > 51 {
		t.Errorf("50 ticks over a second: %g%%, %v; want 50%%", cpu, ok)
	}
	p.prev.at = time.Now().Add(-time.Second)
	if _, ok := p.cpu(7, procStat{start: 2, cpuTicks: 500}); ok {
		t.Error("a new process with the same pid was judged against the old one")
	}
	if _, ok := p.cpu(7, procStat{start: 2, cpuTicks: 510}); ok {
		t.Error("a sample at once after the last was judged")
	}
	p.prev.at = time.Now().Add(-2 * time.Second)
	if cpu, ok := p.cpu(7, procStat{start: 2, cpuTicks: 900}); !ok || cpu < 190 || cpu > 201 {
		t.Errorf("400 ticks over two seconds: %g%%, %v; want 200%%", cpu, ok)
	}
}

// A figure that rounds to its limit is shown so that it reads as over it.
func TestProcessFigures(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{sizeText(2 << 30), "2 GiB"},
		{sizeText(2469606195), "2.3 GiB"},
		{sizeText(1536), "1.5 KiB"},
		{sizeText(512), "512 B"},
		{sizeOver(2469606195, 2<<30), "2.3 GiB"},
		{sizeOver(2<<30+4096, 2<<30), "2 GiB (2147487744 bytes, the limit 2147483648)"},
		{percent(80), "80%"},
		{percentOver(97.54, 80), "97.5%"},
		{percentOver(80.04, 80), "80.04%"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
