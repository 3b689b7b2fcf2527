package daemon

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/heatd/heatd/check"
)

var overlapSeed = flag.Uint64("overlap.seed", 0, "seed of TestNoCheckEverRunsTwiceAtOnce (0: from the clock)")

// guard is what every process of the checks below runs: it holds a lock
// named after its check while it runs, and reports any process of the same
// check that runs alongside it. Its arguments: what it is, how long it
// runs, its exit code.
const guard = `#!/bin/sh
exec 9>>"$T/$HEAT_CHECK.lock"
flock -n 9 || echo "$HEAT_CHECK: $1 $$ began while another process of the check ran" >> "$T/overlaps"
echo "start $1 $$" >> "$T/$HEAT_CHECK.trace"
sleep "$2"
echo "end $1 $$" >> "$T/$HEAT_CHECK.trace"
exit "$3"
`

// A seeded random sequence of reloads (checks added, changed, removed,
// added again, kept) against checks whose runs and scripts each last tens
// of milliseconds: no two processes of one check ever run at once, and
// every one of them ends.
func TestNoCheckEverRunsTwiceAtOnce(t *testing.T) {
	if _, err := os.Stat("/usr/bin/flock"); err != nil {
		t.Skip("flock is not installed (Debian: util-linux)")
	}
	seed := *overlapSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	for name, body := range map[string]string{
		"guard":    guard,
		"fail":     "#!/bin/sh\nexec \"$T/guard\" fail 0.02 0\n",
		"recovery": "#!/bin/sh\nexec \"$T/guard\" recovery 0.05 0\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// variant is a check's settings: how long its run takes and whether
	// it fails (and so runs its fail and recovery scripts).
	variant := func(name string, v int) check.Spec {
		s := spec(dir, name, fmt.Sprintf(`"$T/guard" check 0.0%d %d`, 1+v%4, v/4), 10*time.Millisecond)
		s.Env = map[string]string{"T": dir}
		s.Fail, s.Recovery, s.Threshold = filepath.Join(dir, "fail"), filepath.Join(dir, "recovery"), 2
		return s
	}
	const variants = 8

	e := NewEngine(zap.NewNop(), nil)
	names := []string{"a", "b", "c"}
	now := map[string]int{} // the variant of each check in the config
	var ops []string
	for range 60 {
		name := names[rng.IntN(len(names))]
		v, in := now[name]
		switch op := rng.IntN(4); {
		case !in:
			now[name] = rng.IntN(variants)
			ops = append(ops, "add "+name)
		case op == 0:
			delete(now, name)
			ops = append(ops, "remove "+name)
		case op == 1:
			ops = append(ops, "keep "+name)
		default:
			now[name] = (v + 1 + rng.IntN(variants-1)) % variants
			ops = append(ops, "change "+name)
		}
		var specs []check.Spec
		for _, n := range names {
			if v, ok := now[n]; ok {
				specs = append(specs, variant(n, v))
			}
		}
		e.Apply(specs, Settings{Grace: time.Minute})
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
	}
	e.Stop(time.Minute)

	failed := func(format string, args ...any) {
		t.Helper()
		t.Errorf("seed %d (-overlap.seed=%d to replay); reloads %s:\n%s", seed, seed,
			strings.Join(ops, ", "), fmt.Sprintf(format, args...))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "overlaps")); err == nil {
		failed("%s", b)
	}
	runs := 0
	for _, name := range names {
		b, _ := os.ReadFile(filepath.Join(dir, name+".trace"))
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) == 1 && lines[0] == "" {
			continue
		}
		for i, l := range lines {
			want := "start "
			if i%2 == 1 {
				want = "end " + strings.TrimPrefix(lines[i-1], "start ")
			}
			if !strings.HasPrefix(l, want) {
				failed("check %s, line %d is %q, want %q...: its processes overlapped or one never ended:\n%s",
					name, i+1, l, want, strings.Join(lines[max(0, i-4):min(len(lines), i+3)], "\n"))
				break
			}
		}
		runs += len(lines) / 2
	}
	if runs < 20 {
		failed("only %d processes ran: the sequence tested nothing", runs)
	}
	t.Logf("seed %d: %d processes of %d checks over %d reloads", seed, runs, len(names), len(ops))
}
