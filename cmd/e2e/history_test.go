package e2e

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
)

// A check's heat log is its history: each failed run has its "failed"
// line, even one that wrote no stderr (a timeout, a native probe, curl
// -sf), and a recovery verified says so.
func TestHeatdHeatLogTellsEveryFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script(t, filepath.Join(dir, "fix"), "touch fixed\n")
	config := filepath.Join(dir, "heat.toml")
	writeConfig(t, config, fmt.Sprintf(`
[daemon]
log_dir = "logs"
control_socket = "heatd.sock"

[defaults]
interval = "200ms"

[check.quiet]
command = "exit 5"

[check.probe]
tcp = "127.0.0.1:%d"

[check.slow]
command = "sleep 5"
timeout = "100ms"

[check.mended]
command = "test -e fixed"
threshold = 1
recovery = "fix"
`, freePort(t)))
	heatd := start(t, dir, "heatd", "-c", config)
	logs := filepath.Join(dir, "logs")
	waitHeatLog(t, filepath.Join(logs, "quiet.log"), `^\d{10}: failed: exit code 5\n`)
	waitHeatLog(t, filepath.Join(logs, "probe.log"),
		`^\d{10}: failed: exit code 7 \(Failed to connect to 127\.0\.0\.1 port \d+: Connection refused\)\n`+
			`\d{10}: tcp: \(7\) Failed to connect`)
	waitHeatLog(t, filepath.Join(logs, "slow.log"), `^\d{10}: failed: exit code 124 \(timed out after 100ms\)\n`)
	waitHeatLog(t, filepath.Join(logs, "mended.log"), `^\d{10}: failed: exit code 1\n`+
		`\d{10}: recovery script started \(attempt 1\)\n`+
		`\d{10}: recovery script exited with code 0\n`+
		`\d{10}: recovery verified \(attempt 1\)\n$`)
	if code := heatd.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("heatd exited %d", code)
	}
}
