package config

// DefaultControlSocket is the control socket when [daemon] names none:
// where a packaged heatd, run by root under systemd, serves heatctl.
const DefaultControlSocket = "/run/heatd/heatd.sock"

// ControlSocket is the control socket that the configuration at path names:
// its [daemon] control_socket (relative to the file's folder), or the
// default. It reads the main file alone, as Load reads it, and looks at
// nothing else, so that heatctl -c finds the heatd that serves a file even
// when that file has errors elsewhere, errors a reload of it would report.
// The error is the file's own (unreadable, not TOML) or the key's.
func ControlSocket(path string) (string, error) {
	src, errs := read(path, nil)
	if src == nil {
		return "", errs
	}
	var daemonErrs Errors
	d, _ := readDaemon(src, &daemonErrs)
	for _, e := range daemonErrs {
		if e.Key == "control_socket" || e.Key == "" {
			return "", e
		}
	}
	return d.ControlSocket, nil
}
