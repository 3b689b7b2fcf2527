package main

import (
	"reflect"
	"strings"
	"testing"
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
		{"", "no command: status or reload"},
		{"stat", `unknown command "stat": status or reload`},
		{"status -x", `unknown option "-x"`},
		{"status --json=yes", `unknown option "--json=yes"`},
		{"status -s", "-s needs a SOCKET"},
		{"-s= status", "the SOCKET of -s is empty"},
		{"reload web", `reload takes no argument, not "web"`},
		{"reload --json", "--json is an option of status"},
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
