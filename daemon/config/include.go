package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// included are the files the include patterns match: in pattern order,
// each pattern's matches sorted, each file once. The main file is
// skipped, so include = ["*.toml"] beside it does not read it again.
//
// A pattern may match nothing (/etc/heat.d may be empty), but an entry
// with no glob characters is a path that must name a file: a typo in it
// would otherwise pass as a configuration of no checks, and a folder
// would be read as a file. Each such entry is reported at its own line.
func (l *loader) included(main *source, patterns []string) []string {
	mainInfo, _ := os.Stat(main.name)
	s := &scope{src: main, path: []string{"daemon"}, table: "daemon", errs: &l.errs}
	written := includeEntries(main)
	seen := map[string]bool{}
	var names []string
	for i, p := range patterns {
		if i < len(written) && !isPattern(written[i]) {
			if msg := plainInclude(written[i], p); msg != "" {
				s.add(s.entryLine("include", strconv.Itoa(i)), "include", msg)
				continue
			}
		}
		matches, _ := filepath.Glob(p) // only a bad pattern fails, and readDaemon reported those
		for _, m := range matches {
			abs, _ := filepath.Abs(m)
			if seen[abs] {
				continue
			}
			seen[abs] = true
			if fi, err := os.Stat(m); err == nil && mainInfo != nil && os.SameFile(fi, mainInfo) {
				continue
			}
			names = append(names, m)
		}
	}
	return names
}

// includeEntries are the include entries as the main file writes them,
// for messages: readDaemon returned them as globbed, which is not what
// the operator wrote. Only called once readDaemon accepted them.
func includeEntries(main *source) []string {
	d, _ := main.data["daemon"].(map[string]any)
	list, _ := d["include"].([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		p, _ := e.(string)
		out = append(out, p)
	}
	return out
}

// isPattern reports whether an include entry has glob syntax, the
// characters filepath.Match gives a meaning to.
func isPattern(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// plainInclude says what is wrong with the include entry written as p,
// which has no glob characters and names the file at path; "" when it is
// a file (or something that read will refuse with its own reason).
func plainInclude(written, path string) string {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		abs, _ := filepath.Abs(path)
		pattern := filepath.Join(filepath.Dir(written), "*.toml")
		return fmt.Sprintf("names %q, which does not exist (%s); correct the path, or write a pattern such as %q if the files may come later",
			written, abs, pattern)
	case err != nil:
		return fmt.Sprintf("names %q, which cannot be checked (%s)", written, reason(err))
	case fi.IsDir():
		return fmt.Sprintf("names %q, which is a folder; write %q to include the files in it",
			written, strings.TrimRight(written, "/")+"/*.toml")
	}
	return ""
}
