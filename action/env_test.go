package action

import (
	"slices"
	"testing"
)

func TestEnviron(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		base  []string
		env   map[string]string
		extra []string
		want  []string
	}{
		{
			name: "nothing",
			want: []string{"HEAT_CHECK=web"},
		},
		{
			name: "heatd's own variables dropped",
			base: []string{"PATH=/bin", "NOTIFY_SOCKET=/run/systemd/notify", "WATCHDOG_USEC=1000",
				"WATCHDOG_PID=7", "LISTEN_FDS=1", "LISTEN_PID=7", "LISTEN_FDNAMES=x", "JOURNAL_STREAM=8:9", "HOME=/root"},
			want: []string{"PATH=/bin", "HOME=/root", "HEAT_CHECK=web"},
		},
		{
			name: "env sorted, over base in its place",
			base: []string{"HOME=/root", "LANG=C"},
			env:  map[string]string{"ZED": "z", "HOME": "/srv", "ALPHA": "a", "EMPTY": ""},
			want: []string{"HOME=/srv", "LANG=C", "ALPHA=a", "EMPTY=", "ZED=z", "HEAT_CHECK=web"},
		},
		{
			name:  "HEAT_CHECK over base and env, extra over all",
			base:  []string{"HEAT_CHECK=old", "A=1"},
			env:   map[string]string{"HEAT_CHECK": "env", "B": "2"},
			extra: []string{"HEAT_FAIL_CODE=7", "B=3", "HEAT_FAIL_CODE=8", "HEAT_FAIL_PID="},
			want:  []string{"HEAT_CHECK=web", "A=1", "B=3", "HEAT_FAIL_CODE=8", "HEAT_FAIL_PID="},
		},
		{
			name: "duplicates in base: the last wins",
			base: []string{"A=1", "B=2", "A=3", "NOTIFY_SOCKET=x", "NOTIFY_SOCKET=y"},
			want: []string{"A=3", "B=2", "HEAT_CHECK=web"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Environ(c.base, c.env, "web", c.extra...)
			if !slices.Equal(got, c.want) {
				t.Errorf("Environ = %q\nwant      %q", got, c.want)
			}
		})
	}
}
