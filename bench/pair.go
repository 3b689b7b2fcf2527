package main

// measurePair measures heatd on a and heatd on c, both running, in turns:
// a window of one while the other is stopped (SIGSTOP), then the other's,
// n times. Two rows that are judged as a ratio (the native HTTP probe
// against curl) see the same minutes of the host's load, not minutes
// apart: measured one after the other, a change in the load of a shared
// host moved their ratio by more than the goal's margin. The stopped one
// never competes with the window, as the floor never does.
func (b *bench) measurePair(a, c workload) (wa, wc windowed, err error) {
	b.progress("%s and %s, in turns", a.what, c.what)
	a.stopped, c.stopped = true, true
	ha, err := b.startWorkload(a)
	if err != nil {
		return wa, wc, err
	}
	defer ha.stop()
	hc, err := b.startWorkload(c)
	if err != nil {
		return wa, wc, err
	}
	defer hc.stop()
	turn := func(on, off *heatdRun, l workload, w *windowed) error {
		off.subject().pause()
		defer off.subject().resume()
		// The one measured was stopped for the other's turn: the runs it
		// owes land before its window, not in it.
		if !b.sleep(b.plan.settle) {
			return b.ctx.Err()
		}
		one, err := b.measureWindows(on.subject(), 1, l.window(b.plan), l.floor)
		w.add(one)
		return err
	}
	for range b.plan.windows {
		if err := turn(ha, hc, a, &wa); err != nil {
			return wa, wc, err
		}
		if err := turn(hc, ha, c, &wc); err != nil {
			return wa, wc, err
		}
	}
	return wa, wc, firstErr(ha.healthy(nil), hc.healthy(nil))
}

// add appends what o measured to w's windows.
func (w *windowed) add(o windowed) {
	w.perRun = append(w.perRun, o.perRun...)
	w.rate = append(w.rate, o.rate...)
	w.floor = append(w.floor, o.floor...)
	w.ownPerRun = append(w.ownPerRun, o.ownPerRun...)
	w.floorOwn = append(w.floorOwn, o.floorOwn...)
}

// firstErr is the first error that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
