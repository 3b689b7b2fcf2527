package config

import (
	"fmt"
	"os"
	"strings"
)

// DefaultStateFile is where heatd keeps its decisions: the folder the
// packaged unit's StateDirectory=heatd makes.
const DefaultStateFile = "/var/lib/heatd/state.json"

// parseStateFile is the state file's path, or "" to keep no state file.
// A path that names a folder is refused: the file is replaced by a rename,
// which a folder would make fail at every write, long after the load. A
// file that is missing or cannot be read is for heatd to say at run time
// (a first start, or state_file_ignored), never a reason not to run.
func parseStateFile(v any, dir string) (string, error) {
	if s, ok := v.(string); ok && s == "" {
		return "", nil
	}
	p, err := parsePath(v, dir)
	if err != nil {
		return "", err
	}
	written := v.(string) // parsePath took only a string
	if fi, err := os.Stat(p); strings.HasSuffix(written, "/") || err == nil && fi.IsDir() {
		return "", fmt.Errorf("%q is a folder; give a file's path such as %q, or \"\" to keep no state file", written, DefaultStateFile)
	}
	return p, nil
}
