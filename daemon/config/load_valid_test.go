package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/heatd/heatd/action"
	"github.com/heatd/heatd/check"
)

// mustLoad loads testdata/name and fails the test on any error.
func mustLoad(t *testing.T, name string) *Config {
	t.Helper()
	cfg, err := loadAs(filepath.Join("testdata", name), false)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return cfg
}

// checksByName indexes cfg's checks, after asserting their order.
func checksByName(t *testing.T, cfg *Config, names ...string) map[string]check.Spec {
	t.Helper()
	var got []string
	m := map[string]check.Spec{}
	for _, c := range cfg.Checks {
		got = append(got, c.Name)
		m[c.Name] = c
	}
	if !reflect.DeepEqual(got, names) {
		t.Fatalf("checks %q, want %q (sorted by name)", got, names)
	}
	return m
}

// sameSpec compares field by field, so a failure names the field.
func sameSpec(t *testing.T, got, want check.Spec) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("check %q: %s = %#v, want %#v", want.Name, g.Type().Field(i).Name,
				g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}

func TestValidFull(t *testing.T) {
	dir := testdataDir(t)
	cfg := mustLoad(t, "valid-full.toml")
	if cfg.Path != "testdata/valid-full.toml" {
		t.Errorf("Path = %q", cfg.Path)
	}
	wantDaemon := Daemon{
		LogDir:            dir + "/logs",
		LogLevel:          "debug",
		LogFormat:         "console",
		ShutdownGrace:     20 * time.Second,
		ControlSocket:     dir + "/run/heatd.sock",
		StateFile:         dir + "/state/heatd.json",
		MetricsListen:     "127.0.0.1:9797",
		Include:           []string{dir + "/include/valid/*.toml", dir + "/valid-full.toml", dir + "/include/none-*.toml"},
		Splay:             2 * time.Second,
		MaxParallel:       8,
		StrictPermissions: false,
		Alertmanager:      []string{"http://127.0.0.1:9093", "https://am.example.com/alertmanager/"},
		AlertLabels:       map[string]string{"env": "prod", "team_1": "web"},
		AlertResend:       30 * time.Second,
	}
	if !reflect.DeepEqual(cfg.Daemon, wantDaemon) {
		t.Errorf("Daemon =\n%+v\nwant\n%+v", cfg.Daemon, wantDaemon)
	}
	checks := checksByName(t, cfg, "api", "db.primary", "extra", "pg", "web")
	defaultEnv := map[string]string{"LANG": "C", "MODE": "default"}
	ok := dir + "/bin/ok.sh"

	sameSpec(t, checks["web"], check.Spec{
		Name:            "web",
		Probe:           check.Command("curl -sf localhost:8000"),
		Interval:        2 * time.Second,
		Timeout:         2500 * time.Millisecond,
		Target:          action.Target{Pidfile: dir + "/run/web.pid"},
		FaultSignal:     syscall.SIGUSR1,
		SuccessSignal:   syscall.SIGUSR2,
		Recovery:        ok,
		Threshold:       3,
		RecoveryTimeout: 10 * time.Second,
		ScriptTimeout:   time.Minute,
		HeatLog:         dir + "/logs/web.log",
		Env:             map[string]string{"LANG": "C", "MODE": "web", "PORT": "8000"},
		Dir:             dir,
	})
	sameSpec(t, checks["db.primary"], check.Spec{
		Name:          "db.primary",
		Probe:         check.Script(ok),
		Interval:      10 * time.Second,
		Timeout:       2500 * time.Millisecond,
		Target:        action.Target{PID: 12345},
		Signal:        syscall.SIGTERM,
		Fail:          ok,
		ScriptTimeout: time.Minute,
		HeatLog:       dir + "/db.log",
		Env:           defaultEnv,
		Dir:           dir,
	})
	sameSpec(t, checks["api"], check.Spec{
		Name: "api",
		Probe: check.HTTPProbe{
			URL:     "https://example.com/health",
			Method:  "HEAD",
			Status:  []int{200, 204},
			Body:    "ok",
			Headers: map[string]string{"Accept": "text/plain"},
		},
		Interval:      10 * time.Second,
		Timeout:       2500 * time.Millisecond,
		ScriptTimeout: time.Minute,
		HeatLog:       dir + "/logs/api.log",
		Env:           defaultEnv,
		Dir:           dir,
	})
	sameSpec(t, checks["pg"], check.Spec{
		Name:          "pg",
		Probe:         check.TCPProbe{Addr: "localhost:5432"},
		Interval:      10 * time.Second,
		Timeout:       500 * time.Millisecond,
		ScriptTimeout: time.Minute,
		HeatLog:       dir + "/logs/pg.log",
		Env:           defaultEnv,
		Dir:           dir,
	})
	sameSpec(t, checks["extra"], check.Spec{
		Name:          "extra",
		Probe:         check.Script(ok),
		Interval:      10 * time.Second,
		Timeout:       2500 * time.Millisecond,
		Target:        action.Target{PID: 4242},
		Signal:        syscall.SIGHUP,
		ScriptTimeout: time.Minute,
		HeatLog:       dir + "/include/valid/extra.log",
		Env:           defaultEnv,
		Dir:           dir + "/include/valid",
	})

	// Checks that inherit one [defaults] table do not share its map.
	checks["pg"].Env["MODE"] = "changed"
	if got := mustLoad(t, "valid-full.toml").Checks[0].Env["MODE"]; got != "default" {
		t.Errorf("a second load sees MODE = %q", got)
	}
	if got := checks["api"].Env["MODE"]; got != "default" {
		t.Errorf("api sees pg's change to its env: MODE = %q", got)
	}
}

func TestValidEmpty(t *testing.T) {
	cfg := mustLoad(t, "valid-empty.toml")
	if len(cfg.Checks) != 0 {
		t.Errorf("Checks = %v, want none", cfg.Checks)
	}
	want := Daemon{
		LogDir:            "/var/log/heat",
		LogLevel:          "info",
		LogFormat:         "json",
		ShutdownGrace:     10 * time.Second,
		ControlSocket:     "/run/heatd/heatd.sock",
		StateFile:         "/var/lib/heatd/state.json",
		StrictPermissions: true,
		AlertResend:       time.Minute,
	}
	if !reflect.DeepEqual(cfg.Daemon, want) {
		t.Errorf("Daemon =\n%+v\nwant\n%+v", cfg.Daemon, want)
	}
}

func TestValidMinimal(t *testing.T) {
	cfg := mustLoad(t, "valid-minimal.toml")
	checks := checksByName(t, cfg, "web")
	sameSpec(t, checks["web"], check.Spec{
		Name:          "web",
		Probe:         check.Command("curl -sf localhost:8000"),
		Interval:      30 * time.Second,
		Timeout:       30 * time.Second,
		ScriptTimeout: 5 * time.Minute,
		HeatLog:       "/var/log/heat/web.log",
		Dir:           testdataDir(t),
	})
	if checks["web"].Env != nil {
		t.Errorf("Env = %#v, want nil", checks["web"].Env)
	}
}

func TestValidDurations(t *testing.T) {
	cfg := mustLoad(t, "valid-durations.toml")
	if cfg.Daemon.ShutdownGrace != 250*time.Millisecond || cfg.Daemon.Splay != 0 {
		t.Errorf("shutdown_grace %v, splay %v; want 250ms, 0s", cfg.Daemon.ShutdownGrace, cfg.Daemon.Splay)
	}
	checks := checksByName(t, cfg, "float", "go", "int", "text")
	for _, c := range []struct {
		name                          string
		interval, timeout, script, rt time.Duration
	}{
		{"int", 30 * time.Second, time.Second, 5 * time.Minute, 0},
		{"float", 500 * time.Millisecond, 1250 * time.Millisecond, 5 * time.Minute, 0},
		{"go", 90 * time.Second, 500 * time.Millisecond, 2 * time.Hour, 1500 * time.Millisecond},
		{"text", 45 * time.Second, 100 * time.Millisecond, 5 * time.Minute, 0},
	} {
		s := checks[c.name]
		got := fmt.Sprint(s.Interval, s.Timeout, s.ScriptTimeout, s.RecoveryTimeout)
		if want := fmt.Sprint(c.interval, c.timeout, c.script, c.rt); got != want {
			t.Errorf("check %q: interval, timeout, script_timeout, recovery_timeout = %s, want %s", c.name, got, want)
		}
	}
}

func TestValidSignals(t *testing.T) {
	checks := checksByName(t, mustLoad(t, "valid-signals.toml"), "names", "numbers")
	for name, want := range map[string][3]syscall.Signal{
		"names":   {syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2},
		"numbers": {syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2},
	} {
		c := checks[name]
		if got := [3]syscall.Signal{c.Signal, c.FaultSignal, c.SuccessSignal}; got != want {
			t.Errorf("check %q: signal, fault_signal, success_signal = %v, want %v", name, got, want)
		}
	}
	if got := checks["numbers"].Target; got != (action.Target{Pidfile: "/run/numbers.pid"}) {
		t.Errorf("numbers: Target = %+v", got)
	}
	if got := checks["names"].Target; got != (action.Target{PID: 100}) {
		t.Errorf("names: Target = %+v", got)
	}
}

func TestValidInline(t *testing.T) {
	checks := checksByName(t, mustLoad(t, "valid-inline.toml"), "api", "db", "db.primary", "web")
	if got := checks["web"].Env; !reflect.DeepEqual(got, map[string]string{"A": "1"}) {
		t.Errorf("web: Env = %v", got)
	}
	if got := checks["db"].Interval; got != 5*time.Second {
		t.Errorf("db: Interval = %v, want 5s", got)
	}
	api := checks["api"]
	wantHTTP := check.HTTPProbe{URL: "http://localhost:8000/", Method: "GET", Status: []int{204}, Headers: map[string]string{"X-Token": "t"}}
	if !reflect.DeepEqual(api.Probe, wantHTTP) || !reflect.DeepEqual(api.Env, map[string]string{"B": "2"}) {
		t.Errorf("api: Probe %+v, Env %v", api.Probe, api.Env)
	}
	if got := checks["db.primary"].Probe; got != (check.TCPProbe{Addr: "[::1]:5432"}) {
		t.Errorf("db.primary: Probe = %#v", got)
	}
}

// TestReloadEqual: loading one file twice gives equal Specs, which is what
// a reload relies on to leave unchanged checks alone.
func TestReloadEqual(t *testing.T) {
	for _, name := range []string{"valid-full.toml", "valid-minimal.toml", "valid-inline.toml"} {
		a, b := mustLoad(t, name), mustLoad(t, name)
		for i := range a.Checks {
			if !a.Checks[i].Equal(&b.Checks[i]) {
				t.Errorf("%s: check %q differs between two loads", name, a.Checks[i].Name)
			}
		}
	}
}
