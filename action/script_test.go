package action

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeScript writes an executable sh script into dir.
func writeScript(t *testing.T, dir, body string) string {
	t.Helper()
	path := filepath.Join(dir, "script")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// logLines reads a heat log and checks that heatd's own lines carry one
// timestamp, the script's start, which it returns with the lines.
func logLines(t *testing.T, path string, from, to time.Time) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	first, _, _ := strings.Cut(lines[0], ": ")
	sec, err := strconv.ParseInt(first, 10, 64)
	if err != nil || sec < from.Unix() || sec > to.Unix() {
		t.Fatalf("first line %q: want the script's start in unix seconds", lines[0])
	}
	return lines
}

func TestRunScriptRecovery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "logs", "web.log")}
	s := Script{
		Kind: "recovery", Attempt: 2, Log: log, Dir: dir,
		Path: writeScript(t, dir, "echo out; echo err >&2; echo \"$HEAT_CHECK $(pwd)\"; exit 3\n"),
		Env:  Environ(os.Environ(), nil, "web"),
	}
	begin := time.Now()
	out, logErr := RunScript(context.Background(), s)
	if logErr != nil || out.Code != 3 {
		t.Fatalf("code %d, logErr %v", out.Code, logErr)
	}
	lines := logLines(t, log.Path, begin, time.Now())
	u := strings.Split(lines[0], ":")[0]
	want := []string{
		u + ": recovery script started (attempt 2)",
		"out",
		"err",
		"web " + dir,
		u + ": recovery script exited with code 3",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("heat log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunScriptFailTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	s := Script{Kind: "fail", Path: writeScript(t, dir, "exec sleep 30\n"), Timeout: 300 * time.Millisecond, Log: log}
	begin := time.Now()
	out, _ := RunScript(context.Background(), s)
	if !out.TimedOut || out.Code != 124 {
		t.Errorf("timed out %v, code %d", out.TimedOut, out.Code)
	}
	lines := logLines(t, log.Path, begin, time.Now())
	u := strings.Split(lines[0], ":")[0]
	want := u + ": fail script started\n" + u + ": fail script timed out after 300ms, killed (code 124)"
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("heat log:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunScriptLeavesDaemon(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	pidfile := filepath.Join(dir, "daemon.pid")
	// A recovery that restarts a server in the background: the script ends
	// at once, the server lives on and keeps writing to the heat log.
	body := fmt.Sprintf("sleep 300 & echo $! > %s\n(sleep 0.2; echo late) &\necho restarted\n", pidfile)
	s := Script{Kind: "recovery", Attempt: 1, Path: writeScript(t, dir, body), Log: log}
	begin := time.Now()
	out, logErr := RunScript(context.Background(), s)
	if took := time.Since(begin); took > 500*time.Millisecond {
		t.Errorf("RunScript took %v: it waited for the script's daemon", took)
	}
	if out.Code != 0 || logErr != nil {
		t.Fatalf("code %d, logErr %v", out.Code, logErr)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	daemon, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if daemon <= 1 {
		t.Fatalf("pidfile holds %q", data)
	}
	t.Cleanup(func() { syscall.Kill(daemon, syscall.SIGKILL) })
	eventually(t, 2*time.Second, "the background job's late output never reached the heat log", func() bool {
		data, _ := os.ReadFile(log.Path)
		return strings.HasSuffix(string(data), "exited with code 0\nlate\n")
	})
	if !alive(daemon) {
		t.Error("the daemon the script started is gone")
	}
}

func TestRunScriptLogUnwritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, "web.log")); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "ran")
	s := Script{
		Kind: "fail",
		Path: writeScript(t, dir, "echo to-the-log; touch "+marker+"\n"),
		Log:  HeatLog{Path: filepath.Join(dir, "web.log")},
	}
	out, logErr := RunScript(context.Background(), s)
	if logErr == nil || !strings.Contains(logErr.Error(), "symbolic link") {
		t.Errorf("logErr %v: want the symlink named", logErr)
	}
	if _, err := os.Stat(marker); err != nil || out.Code != 0 {
		t.Errorf("code %d, marker %v: the script must run without its log", out.Code, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("the symlink was followed")
	}
}

func TestRunScriptCannotStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	begin := time.Now()
	out, logErr := RunScript(context.Background(), Script{Kind: "fail", Path: filepath.Join(dir, "gone"), Log: log})
	if out.StartErr == nil || logErr != nil {
		t.Fatalf("StartErr %v, logErr %v", out.StartErr, logErr)
	}
	lines := logLines(t, log.Path, begin, time.Now())
	if len(lines) != 2 || !strings.Contains(lines[1], "fail script could not start: ") {
		t.Errorf("heat log %q: want the start and why it failed", lines)
	}
}

func TestRunScriptAfterStop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := HeatLog{Path: filepath.Join(dir, "web.log")}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, logErr := RunScript(ctx, Script{Kind: "fail", Path: writeScript(t, dir, "exit 0\n"), Log: log})
	if out.StartErr == nil || !out.Interrupted || out.PID != 0 || logErr != nil {
		t.Errorf("StartErr %v, interrupted %v, PID %d, logErr %v", out.StartErr, out.Interrupted, out.PID, logErr)
	}
	if _, err := os.Stat(log.Path); err == nil {
		t.Error("a script that never started was logged")
	}
}
