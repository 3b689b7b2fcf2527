package heat

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// lineWriter calls done at the first complete line written to it.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done func()
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if bytes.IndexByte(w.buf.Bytes(), '\n') >= 0 {
		w.done()
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// `heat -- -weird ...` runs the command -weird: the words after "--" reach
// the shell as its command, never as the shell's own options.
func TestCommandLikeAnOption(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "-weird"), []byte("#!/bin/sh\necho \"ran $*\" >&2\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	for _, args := range [][]string{
		{"-i", "0.1", "--", "-weird", "a"},               // executed directly
		{"-i", "0.1", "--", "-weird", "a", "</dev/null"}, // through /bin/sh -c
	} {
		os.Remove("heat.log")
		ctx, cancel := context.WithCancel(context.Background())
		stdout := &lineWriter{done: cancel}
		var stderr bytes.Buffer
		code := run(ctx, "dev", args, stdout, &stderr)
		cancel()
		if code != 0 || !regexp.MustCompile(`^\d+: Failed: Exit Code 7, details in heat.log\n`).MatchString(stdout.String()) {
			t.Errorf("heat %q: exit %d, stdout %q, stderr %q; want HEAT's line for exit code 7",
				args, code, stdout.String(), stderr.String())
		}
		if log, _ := os.ReadFile("heat.log"); !strings.Contains(string(log), ": ran a\n") {
			t.Errorf("heat %q: heat.log %q, want the command's own stderr", args, log)
		}
	}
}
