package heatctl

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args string
		want cmdline
	}{
		{"status", cmdline{socket: defaultSocket, command: "status"}},
		{"-s /tmp/h.sock status", cmdline{socket: "/tmp/h.sock", command: "status"}},
		{"--socket=/tmp/h.sock status --json web db", cmdline{socket: "/tmp/h.sock", command: "status", json: true, names: []string{"web", "db"}}},
		{"status web -json", cmdline{socket: defaultSocket, command: "status", json: true, names: []string{"web"}}},
		{"status -s=x.sock web", cmdline{socket: "x.sock", command: "status", names: []string{"web"}}},
		{"status -- -odd --json", cmdline{socket: defaultSocket, command: "status", names: []string{"-odd", "--json"}}},
		{"reload", cmdline{socket: defaultSocket, command: "reload"}},
		{"-c /etc/heat.toml reload", cmdline{socket: defaultSocket, config: "/etc/heat.toml", command: "reload"}},
		{"status --config=heat.toml web", cmdline{socket: defaultSocket, config: "heat.toml", command: "status", names: []string{"web"}}},
		{"-h", cmdline{socket: defaultSocket, help: true}},
		{"status --help", cmdline{socket: defaultSocket, help: true}},
		{"help", cmdline{socket: defaultSocket, command: "help", help: true}},
		{"beat backup", cmdline{socket: defaultSocket, command: "beat", names: []string{"backup"}}},
		{"beat --fail 3 backup --message=disk", cmdline{socket: defaultSocket, command: "beat", names: []string{"backup"},
			fail: 3, message: "disk", hasMessage: true}},
		{"beat backup --fail=255", cmdline{socket: defaultSocket, command: "beat", names: []string{"backup"}, fail: 255}},
		{"pause web db --for 90 --reason=deploy", cmdline{socket: defaultSocket, command: "pause", names: []string{"web", "db"},
			pauseFor: 90 * time.Second, reason: "deploy"}},
		{"pause --all --for 1h30m", cmdline{socket: defaultSocket, command: "pause", all: true, names: []string{}, pauseFor: 90 * time.Minute}},
		{"resume --all", cmdline{socket: defaultSocket, command: "resume", all: true, names: []string{}}},
		{"run web", cmdline{socket: defaultSocket, command: "run", names: []string{"web"}}},
	} {
		got, err := parseArgs(strings.Fields(tc.args))
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%q: %+v, want %+v", tc.args, *got, tc.want)
		}
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"", "no command: status, reload, pause, resume, run or beat"},
		{"stat", `unknown command "stat": status, reload, pause, resume, run or beat`},
		{"status -x", `unknown option "-x"`},
		{"status --json=yes", `unknown option "--json=yes"`},
		{"status -s", "-s needs a SOCKET"},
		{"-s= status", "the SOCKET of -s is empty"},
		{"reload web", `reload takes no argument, not "web"`},
		{"reload --json", "--json is an option of status"},
		{"beat", "beat takes one NAME, the heartbeat check's"},
		{"beat a b", "beat takes one NAME, the heartbeat check's"},
		{"beat a --json", "--json is an option of status"},
		{"beat a --fail", "--fail needs a CODE"},
		{"beat a --fail 0", `--fail takes the failed job's exit code, from 1 to 255, not "0"`},
		{"beat a --fail 256", `--fail takes the failed job's exit code, from 1 to 255, not "256"`},
		{"beat a --fail x", `--fail takes the failed job's exit code, from 1 to 255, not "x"`},
		{"beat a --message m", "--message goes with --fail: it says how the job failed"},
		{"status --fail 1", "--fail and --message are options of beat"},
		{"reload --message m", "--fail and --message are options of beat"},
		{"reload -c", "-c needs a FILE"},
		{"-c= reload", "the FILE of -c is empty"},
		{"-s h.sock -c heat.toml reload", "-s and -c both name the socket: give one"},
	} {
		_, err := parseArgs(strings.Fields(tc.args))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}
