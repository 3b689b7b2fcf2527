package action

import "os"

// HeatLog is a check's heat log: the append-only file of its failures'
// output. It holds no descriptor between writes, so logrotate can move it
// and ten thousand checks need no ten thousand descriptors.
type HeatLog struct {
	Path string
}

// Append writes each line of text as "UNIX: line", giving a last line
// without a newline one, in one write(2) so that concurrent writers never
// interleave. The folder is created when missing; a symlink is never
// followed.
func (h HeatLog) Append(unix int64, text []byte) error {
	return errUnimplemented
}

// Open opens the heat log for appending, for a script's own output.
func (h HeatLog) Open() (*os.File, error) {
	return nil, errUnimplemented
}
