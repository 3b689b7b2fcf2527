package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/heatd/heatd/action"
)

// guard applies the root-safety rules, as
// sshd's StrictModes does: heatd, run as root, reads its config files and
// runs script, fail and recovery as root, so none of them may be left for
// another user to change. A file is refused when it is writable by group
// or others or owned by a user other than root; so is every folder on the
// way to it, from /, that is owned by a user other than root or writable by
// others without the sticky bit. Links are followed as the kernel follows
// them: each link must be owned by root, and its target is checked with
// the folders on its way. A group-writable folder is accepted, as the
// the rule words it ("writable by others"): Debian's /usr/local is root's
// and group staff's.
//
// A heat log's folder, log_dir included, follows the same rule: heatd
// writes there as root, and a folder another user could change is one
// where that user chooses what heatd's writes reach. The heat log itself is
// judged at each write (action.HeatLog.Strict), since it comes and goes
// with logrotate.
//
// A pidfile is refused when writable by others, when it is not a regular
// file, and when it is reached through a link another user could have
// placed, as it is read at each send (action.OpenTrusted): it is written
// by the service, often as the service's user and group, in folders of
// theirs, and what it may aim at is bounded when sending
// (action.Target.Strict).
type guard struct {
	seen map[string][]string // the problems of each path walked, so a script many checks share is walked once
}

func newGuard() *guard { return &guard{seen: map[string][]string{}} }

// settings checks the files a table's own keys name, and reports each
// problem at the key's line. A nil guard checks nothing.
func (g *guard) settings(s *scope, own settings) {
	if g == nil {
		return
	}
	for _, key := range rootSafeKeys() {
		p, ok := own[key].v.(string) // nil when absent or not valid: its error is reported already
		if !ok {
			continue
		}
		for _, msg := range g.keyFile(key, p) {
			s.add(own[key].line, key, msg)
		}
	}
}

// keyFile is what is wrong with the file p that the root-safe key names.
func (g *guard) keyFile(key, p string) []string {
	switch key {
	case "pidfile":
		return pidfileProblems(p)
	case "heat_log":
		return g.file(filepath.Dir(p))
	default:
		return g.file(p)
	}
}

// configFile checks a config file that was read, and reports each problem
// against the file.
func (g *guard) configFile(src *source, errs *Errors) {
	if g == nil {
		return
	}
	abs, err := filepath.Abs(src.name)
	if err != nil {
		return // read already needed it, and said so
	}
	for _, msg := range g.file(abs) {
		*errs = append(*errs, &Error{File: src.name, Msg: msg})
	}
}

// logDir checks log_dir, the folder of every heat log that heat_log does
// not name, and reports each problem at [daemon] log_dir (at [daemon], or
// against the file, when log_dir is the default). A folder not made yet is
// judged by the folders above it, for heatd makes it as root.
func (g *guard) logDir(src *source, dir string, errs *Errors) {
	if g == nil {
		return
	}
	s := &scope{src: src, path: []string{"daemon"}, table: "daemon", errs: errs}
	for _, msg := range g.file(dir) {
		s.add(s.keyLine("log_dir"), "log_dir", msg)
	}
}

// file is what is wrong with the file at p, an absolute clean path, and the
// folders and links on the way to it; nil when nothing is.
func (g *guard) file(p string) []string {
	if problems, ok := g.seen[p]; ok {
		return problems
	}
	problems, real := walk(p)
	if real != "" && real != p {
		for i, msg := range problems {
			problems[i] = p + " resolves to " + real + "; " + msg
		}
	}
	g.seen[p] = problems
	return problems
}

// maxLinks is how many links the kernel follows in one path
// (MAXSYMLINKS); a path needing more cannot be opened at all.
const maxLinks = 40

// walk looks p up one name at a time from /, as the kernel does, and
// returns the problems of every folder searched, every link followed and of
// the file found, which is real: p with no link left. A name that does not
// exist ends the walk quietly, since the key's own check reports it.
func walk(p string) (problems []string, real string) {
	note := func(msg string) {
		if msg != "" && !slices.Contains(problems, msg) {
			problems = append(problems, msg)
		}
	}
	fi, err := os.Lstat("/")
	if err != nil {
		return []string{cannotCheck("/", err)}, ""
	}
	note(folderProblem("/", fi))
	note(ownerProblem("/", fi, ""))
	cur, todo, links := "/", names(p), 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		if name == ".." {
			cur = filepath.Dir(cur) // cur has no link left, so its parent is its folder
			continue
		}
		next := filepath.Join(cur, name)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			return problems, ""
		case err != nil:
			note(cannotCheck(next, err))
			return problems, ""
		case fi.Mode()&fs.ModeSymlink != 0:
			if links++; links > maxLinks {
				return problems, ""
			}
			note(ownerProblem(next, fi, "a link "))
			target, err := os.Readlink(next)
			if err != nil {
				note(cannotCheck(next, err))
				return problems, ""
			}
			if filepath.IsAbs(target) {
				cur = "/"
			}
			todo = append(names(target), todo...)
			continue
		case len(todo) > 0 && !fi.IsDir():
			return problems, "" // ENOTDIR at open, reported as such
		case fi.IsDir():
			note(folderProblem(next, fi))
		default:
			note(fileProblem(next, fi))
		}
		note(ownerProblem(next, fi, ""))
		cur = next
	}
	return problems, cur
}

// names are the names of a path, without the empty ones and ".".
func names(p string) []string {
	return slices.DeleteFunc(strings.Split(p, "/"), func(n string) bool { return n == "" || n == "." })
}

func fileProblem(p string, fi fs.FileInfo) string {
	if fi.Mode().Perm()&0o022 == 0 {
		return ""
	}
	return fmt.Sprintf("%s is writable by group or others: chmod go-w %s", p, shellWord(p))
}

func folderProblem(p string, fi fs.FileInfo) string {
	if fi.Mode().Perm()&0o002 == 0 || fi.Mode()&fs.ModeSticky != 0 {
		return ""
	}
	return fmt.Sprintf("%s is writable by others and not sticky: chmod o-w %s", p, shellWord(p))
}

// ownerProblem refuses an owner other than root; what is "a link " for a
// link, whose owner is changed with chown -h.
func ownerProblem(p string, fi fs.FileInfo, what string) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return ""
	}
	flag := ""
	if what != "" {
		flag = "-h "
	}
	return fmt.Sprintf("%s is %sowned by uid %d, not root: chown %sroot %s", p, what, st.Uid, flag, shellWord(p))
}

func cannotCheck(p string, err error) string {
	return fmt.Sprintf("%s cannot be checked for root safety (%s); heatd refuses what it cannot check", p, reason(err))
}

// pidfileProblems refuses a pidfile that others may write, that is not a
// regular file, or that is reached through a link a user other than root
// could have placed: it is opened as each send opens it. One that does not
// exist is fine: the service may be down; it is checked again at each
// send.
func pidfileProblems(p string) []string {
	f, err := action.OpenTrusted(p)
	var link *action.LinkError
	switch {
	case errors.As(err, &link):
		return []string{fmt.Sprintf("%v, and heatd reads a pidfile through no link that a user other than root "+
			"could have placed: name the pidfile by a path without that link", link)}
	case err != nil:
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	real, msg := f.Name(), ""
	switch {
	case !fi.Mode().IsRegular():
		msg = real + " is not a regular file: a pidfile is a regular file holding a pid"
	case fi.Mode().Perm()&0o002 != 0:
		msg = fmt.Sprintf("%s is writable by others: chmod o-w %s", real, shellWord(real))
	default:
		return nil
	}
	if real != filepath.Clean(p) {
		msg = p + " resolves to " + real + "; " + msg
	}
	return []string{msg}
}

// shellWord is p as one shell word, quoted only when it must be, so that
// the command a message suggests can be pasted.
func shellWord(p string) string {
	plain := strings.IndexFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%=", r))
	}) < 0
	if plain && p != "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
