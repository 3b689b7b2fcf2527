package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A config that would cost the TOML decoder a stack overflow, gigabytes or
// minutes, or whose include never answers a read, is a refused reload:
// heatd lives, and the old checks beat on.
func TestHostileConfigIsARefusedReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, beatConfig)
	heatd := start(t, dir, "heatd", "-c", config)
	heatd.waitFor("the first beats", 10*time.Second, true, atLeast(2, "check_ok", "beat"))
	for _, c := range []struct{ what, text, why string }{
		{"2 MiB of nested arrays", "a = " + strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20) + "\n",
			"more than 16 deep"},
		{"an 80 KB dotted header", "[" + strings.Repeat("a.", 40<<10) + "a]\n", "more than 16 deep"},
		{"an include of /proc/kmsg", strings.Replace(beatConfig, "[daemon]\n", "[daemon]\ninclude = [\"/proc/kmsg\"]\n", 1),
			"/proc/kmsg: cannot be read"},
	} {
		writeConfig(t, config, c.text)
		mark := len(heatd.lines(true))
		heatd.cmd.Process.Signal(syscall.SIGHUP)
		l := heatd.waitFor(c.what+" refused", 20*time.Second, true, func(l []string) bool {
			return count(l[mark:], "config_reload_failed", "") > 0
		})
		if e := withMsg(l[mark:], "config_reload_failed", "")[0]; !strings.Contains(fmt.Sprint(e["errors"]), c.why) {
			t.Errorf("%s: %v, want the reason %q", c.what, e, c.why)
		}
		n := count(heatd.lines(true), "check_ok", "beat")
		heatd.waitFor("beats after "+c.what, 10*time.Second, true, atLeast(n+3, "check_ok", "beat"))
	}
	if _, err := os.Stat(config); err != nil {
		t.Fatal(err)
	}
}
