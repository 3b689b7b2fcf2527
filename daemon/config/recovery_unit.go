package config

import (
	"fmt"
	"slices"
	"strings"
)

// recoveryUnitKey is recovery_unit: the recovery step as a restart of a
// systemd unit, in place of a script. [defaults] may not set it: it names
// one service, and every check restarting the same one is never what a
// file of checks of several services means. A check's own recovery_unit
// replaces a recovery script that [defaults] gives, as a check's own key
// replaces [defaults]' everywhere; in the check's own table the two are an
// error, since one of them would be silently ignored.
func recoveryUnitKey() checkKey {
	return checkKey{name: "recovery_unit", doc: "a systemd unit restarted instead of a `recovery` script (see Restarting a unit)",
		needs:    &rule{[]string{"threshold"}, `needs "threshold", the consecutive failures that start recovery`},
		excludes: &rule{[]string{"recovery"}, `cannot be used with "recovery": the recovery step is either a script or a unit restart; give one`},
		value: field(plain(parseUnit), "", func(b *built, v string) {
			b.RecoveryUnit = v
			if v != "" {
				b.Recovery = ""
			}
		}),
	}
}

// maxUnitName is systemd's UNIT_NAME_MAX less its NUL: no unit name is
// longer.
const maxUnitName = 255

// unitSuffixes are the kinds of unit systemd can restart. A .device,
// .slice or .scope has no restart job, so naming one is an error at load
// rather than a recovery that fails at each attempt.
var unitSuffixes = []string{".service", ".socket", ".target", ".mount", ".automount", ".swap", ".timer", ".path"}

// unrestartable are the kinds of unit systemd knows but cannot restart.
var unrestartable = []string{".device", ".slice", ".scope"}

// parseUnit is a unit name as systemd's rules have it: A-Z a-z 0-9 and
// ":_.-\", one "@" before an instance, a suffix naming its kind, at most
// 255 characters. A name without a known suffix gets ".service", as
// systemctl gives it, so `recovery_unit = "nginx"` is what
// `systemctl restart nginx` restarts.
func parseUnit(v any) (string, error) {
	s, err := parseString(v)
	if err != nil {
		return "", err
	}
	const want = `must be a systemd unit name such as "nginx.service"`
	if s == "" {
		return "", fmt.Errorf("%s, not an empty string", want)
	}
	for _, c := range []byte(s) {
		if !unitChar(c) {
			return "", fmt.Errorf(`%s, not %q: a unit name has only A-Z a-z 0-9 and ":_.-\@"`, want, s)
		}
	}
	for _, suffix := range unrestartable {
		if strings.HasSuffix(s, suffix) {
			return "", fmt.Errorf("%s, not %q: systemd cannot restart a %s unit", want, s, suffix)
		}
	}
	name := s
	if !slices.ContainsFunc(unitSuffixes, func(suffix string) bool { return strings.HasSuffix(s, suffix) }) {
		name += ".service"
	}
	if len(name) > maxUnitName {
		return "", fmt.Errorf("%s, not one of %d characters (%q included): a unit name has at most %d",
			want, len(name), name[strings.LastIndexByte(name, '.'):], maxUnitName)
	}
	prefix := name[:strings.LastIndexByte(name, '.')]
	at := strings.IndexByte(prefix, '@')
	switch {
	case prefix == "" || at == 0:
		return "", fmt.Errorf("%s, not %q: it has no name before its %s", want, s, name[len(prefix):])
	case at > 0 && strings.Count(prefix, "@") > 1:
		return "", fmt.Errorf(`%s, not %q: a unit name has one "@" at most, before its instance`, want, s)
	case at == len(prefix)-1:
		return "", fmt.Errorf(`%s, not %q, a template: name an instance of it, such as "%s%s"`,
			want, s, prefix+"NAME", name[len(prefix):])
	}
	return name, nil
}

// unitChar is a byte systemd allows in a unit name.
func unitChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(":_.-\\@", c) >= 0
}
