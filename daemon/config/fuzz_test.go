package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// FuzzLoad feeds the loader arbitrary bytes: it must answer with a config
// or errors, never panic and never hang. The seeds are the test data.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.toml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "heat.toml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var cfg *Config
		var err error
		go func() {
			defer close(done)
			cfg, err = loadAs(path, true) // the root-safety walk must not panic either, whoever runs the test
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Load hung on %q", data)
		}
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Load gave config %v and error %v: exactly one is expected", cfg, err)
		}
		if err != nil {
			var list Errors
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v is not a list of errors", err)
			}
			for _, e := range list {
				if e.File == "" || e.Msg == "" {
					t.Fatalf("error without a file or a message: %#v", e)
				}
			}
			return
		}
		for _, c := range cfg.Checks {
			if c.Probe == nil || c.Interval < minInterval || strings.Contains(fmt.Sprint(c.Probe), "\x00") || c.Name == "" || strings.HasPrefix(c.Name, ".") ||
				strings.ContainsAny(c.Name, "/\x00") || !filepath.IsAbs(c.HeatLog) {
				t.Fatalf("an invalid check was accepted: %+v", c)
			}
			if (c.Signal != 0 || c.FaultSignal != 0 || c.SuccessSignal != 0) && !c.Target.IsSet() {
				t.Fatalf("a signal without a target was accepted: %+v", c)
			}
			if c.Recovery != "" && c.Threshold < 1 {
				t.Fatalf("a recovery without a threshold was accepted: %+v", c)
			}
		}
	})
}

// An include that matches a FIFO or a device is refused at once, never read:
// reading it would hang the load.
func TestIncludeOfAFifoOrDevice(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.toml"), 0o644); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "heat.toml")
	os.WriteFile(main, []byte(`[daemon]
include = ["pipe.toml", "/dev/zero"]
`), 0o644)
	done := make(chan error, 1)
	go func() { _, err := loadAs(main, false); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "pipe.toml: cannot be read: not a regular file") ||
			!strings.Contains(err.Error(), "/dev/zero: cannot be read: not a regular file") {
			t.Errorf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load hung on a FIFO")
	}
}
