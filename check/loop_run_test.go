package check

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// heatctl run while idle runs at once with its steps, and the schedule
// goes on from that run; asked during a run, it waits for that run's end,
// then runs, and answers with its own run's result.
func TestRunNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(codes(0, 7, 0, 0))
		w.runFor = 2 * time.Second
		spec := Spec{Name: "a", Interval: 10 * time.Second, Fail: "/f"}
		c, _, stop := startCheck(t, spec, w, Options{})
		time.Sleep(4 * time.Second)
		r, err := c.RunNow(context.Background())
		if err != nil || r.Code != 7 || string(r.Output) != "error 2\nmore\n" {
			t.Errorf("run at 4 s: %v, %+v", err, r)
		}
		// answered at 6 s; the schedule goes on from that run: the next at 14 s
		time.Sleep(9 * time.Second)
		// 15 s: run 3 is under way, from 14 s to 16 s
		r, err = c.RunNow(context.Background())
		if err != nil || r.Code != 0 || r.PID != 1004 || time.Since(w.t0) != 18*time.Second {
			t.Errorf("run asked at 15 s: %v, %+v, answered at %v", err, r, time.Since(w.t0))
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.RunNow(ctx); err != context.Canceled {
			t.Errorf("a run whose asker left: %v", err)
		}
		time.Sleep(5 * time.Second)
		stop()
		if _, err := c.RunNow(context.Background()); err != ErrStopped {
			t.Errorf("run of a stopped check: %v", err)
		}
		check(t, w.lines(), []string{
			"0s run 1 -> 0",
			"4s run 2 -> 7", "6s heat log \"error 2\"", "6s fail script 0",
			"14s run 3 -> 0",
			"16s run 4 -> 0", // asked at 15 s, after run 3
			"18s run 5 -> 0", // asked with a context already ended: the run happens still
		})
	})
}
