package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// heatdRun is one heatd that heatbench runs.
type heatdRun struct {
	b       *bench
	cmd     *exec.Cmd
	dir     string
	conf    heatdConf
	config  string
	events  *eventLog
	notify  *notifySocket // nil unless asked for
	started time.Time     // just before it was started
	done    chan struct{} // closed once it has ended
	err     error         // how it ended; read after done
}

// startHeatd runs heatd on conf in a folder of its own. With notify, it
// gets a NOTIFY_SOCKET; with keepRuns, its check_ok events are kept.
func (b *bench) startHeatd(conf heatdConf, notify, keepRuns bool) (*heatdRun, error) {
	dir, err := b.scratch("heatd")
	if err != nil {
		return nil, err
	}
	raw, err := os.Create(dir + "/heatd.stderr")
	if err != nil {
		return nil, err
	}
	h := &heatdRun{b: b, dir: dir, conf: conf, events: newEventLog(keepRuns, raw), done: make(chan struct{})}
	if h.config, err = conf.write(dir); err != nil {
		raw.Close()
		return nil, err
	}
	h.cmd = exec.Command(b.heatd, "-c", h.config)
	h.cmd.Dir = dir
	h.cmd.Env = benchEnv()
	if notify {
		if h.notify, err = listenNotify(dir + "/notify"); err != nil {
			return nil, err
		}
		h.cmd.Env = append(h.cmd.Env, "NOTIFY_SOCKET="+h.notify.path)
	}
	stderr, err := h.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	h.started = time.Now()
	if err := b.procs.start(h.cmd); err != nil {
		return nil, err
	}
	go func() {
		h.events.read(stderr)
		h.err = b.procs.wait(h.cmd)
		raw.Close()
		close(h.done)
	}()
	return h, nil
}

// benchEnv is the environment of every supervisor and of the floor:
// heatbench's own, so that every check process gets the same one.
func benchEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NOTIFY_SOCKET=") {
			env = append(env, kv)
		}
	}
	return env
}

// pid is heatd's pid.
func (h *heatdRun) pid() int { return h.cmd.Process.Pid }

// alive reports an error when heatd has ended.
func (h *heatdRun) alive() error {
	select {
	case <-h.done:
		return fmt.Errorf("heatd ended: %v\n%s", h.err, h.events.summary())
	default:
		return nil
	}
}

// waitRuns waits until n runs have been logged (debug level). A heatd
// that stalls is asked for its goroutines (SIGQUIT), which are kept in a
// file outside the scratch folder for whoever looks into it.
func (h *heatdRun) waitRuns(n int, timeout time.Duration) error {
	err := h.events.waitCount(h.b.ctx, n, timeout)
	if err == nil {
		return nil
	}
	if h.alive() == nil {
		signalGroup(h.cmd, syscall.SIGQUIT)
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
		}
		dump := filepath.Join(os.TempDir(), fmt.Sprintf("heatbench-stall-%d.txt", h.pid()))
		if b, rerr := os.ReadFile(h.dir + "/heatd.stderr"); rerr == nil && os.WriteFile(dump, b, 0o644) == nil {
			return fmt.Errorf("heatd stalled: %v; its goroutines (SIGQUIT) are in %s", err, dump)
		}
	}
	return fmt.Errorf("waiting for heatd's first runs: %v\n%s", err, h.events.summary())
}

// stop stops heatd with SIGTERM, as systemd would, and closes its socket.
func (h *heatdRun) stop() {
	h.b.procs.end(h.cmd, syscall.SIGTERM, 20*time.Second, h.done)
	if h.notify != nil {
		h.notify.close()
	}
}

// runsTotal reads heatd_check_runs_total from heatd's metrics: every
// completed run of every check.
func (h *heatdRun) runsTotal() (int64, error) {
	var total float64
	found := false
	err := h.scrape(func(name, labels string, v float64) {
		if name == "heatd_check_runs_total" {
			total += v
			found = true
		}
	})
	if err == nil && !found {
		err = fmt.Errorf("metrics: no heatd_check_runs_total")
	}
	return int64(total), err
}

// scrape reads heatd's metrics, calling each for every sample.
func (h *heatdRun) scrape(each func(name, labels string, v float64)) error {
	resp, err := http.Get("http://" + h.conf.metrics + "/metrics")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("metrics: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return fmt.Errorf("metrics: %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return fmt.Errorf("metrics: %q", line)
		}
		name, labels, _ := strings.Cut(line[:i], "{")
		each(name, labels, v)
	}
	return sc.Err()
}

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
