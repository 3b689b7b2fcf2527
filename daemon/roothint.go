package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/heatd/heatd/daemon/config"
)

// SocketWarning says, when heatd runs as a user other than root with the
// default control socket in a folder that user can neither create nor
// write (/run/heatd is root's), that the default needs root and how to
// set another; "" otherwise. heatd -t prints it as a warning, and heatd
// adds it to the error when the socket cannot be bound. A folder the user
// can write (a unit's RuntimeDirectory= with User=) gives no warning.
func SocketWarning(cfg *config.Config) string {
	if os.Geteuid() == 0 || cfg.Daemon.ControlSocket != config.DefaultControlSocket {
		return ""
	}
	cannot := unusableFolder(filepath.Dir(cfg.Daemon.ControlSocket))
	if cannot == "" {
		return ""
	}
	suggest, beside := "heatd.sock", fmt.Sprintf(" (beside %s)", cfg.Path)
	if run := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(run) {
		suggest, beside = filepath.Join(run, "heatd.sock"), ""
	}
	e := &config.Error{File: cfg.Path, Table: "daemon", Key: "control_socket", Msg: fmt.Sprintf(
		"%s, the default, needs root: uid %d cannot %s; set control_socket in [daemon] to a path this user can write, "+
			"such as control_socket = %q%s, which heatctl -c %s finds",
		cfg.Daemon.ControlSocket, os.Geteuid(), cannot, suggest, beside, cfg.Path)}
	return e.Error()
}

// StateFileWarning says, when heatd runs as a user other than root with
// the default state file in a folder that user can neither create nor
// write (/var/lib/heatd is root's), that the default needs root and how to
// set another; "" otherwise. heatd -t prints it as a warning: heatd itself
// would run, and say state_file_ignored at every start.
func StateFileWarning(cfg *config.Config) string {
	if os.Geteuid() == 0 || cfg.Daemon.StateFile != config.DefaultStateFile {
		return ""
	}
	cannot := unusableFolder(filepath.Dir(cfg.Daemon.StateFile))
	if cannot == "" {
		return ""
	}
	e := &config.Error{File: cfg.Path, Table: "daemon", Key: "state_file", Msg: fmt.Sprintf(
		"%s, the default, needs root: uid %d cannot %s; set state_file in [daemon] to a path this user can write, "+
			"such as state_file = \"heatd.state.json\" (beside %s), or \"\" to keep none",
		cfg.Daemon.StateFile, os.Geteuid(), cannot, cfg.Path)}
	return e.Error()
}

// unusableFolder says what this user cannot do to have dir as the folder
// of a socket or a file heatd makes ("create /run/heatd", "write in /run/heatd"), or "" when it can:
// write and search dir, or, where dir is missing, the closest folder above
// it that is there, where dir would be made.
func unusableFolder(dir string) string {
	verb := "write in " + dir
	at := dir
	for {
		_, err := os.Stat(at)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(at) == at {
			return "" // not for this hint to say; binding will
		}
		verb, at = "create "+dir, filepath.Dir(at)
	}
	if unix.Faccessat(unix.AT_FDCWD, at, unix.W_OK|unix.X_OK, unix.AT_EACCESS) == nil {
		return ""
	}
	return verb
}
