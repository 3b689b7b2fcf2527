package check

// Flap detection as Nagios does it: over the last 21 results, the share of
// the 20 transitions that are changes, each weighted linearly from 0.75
// (the oldest) to 1.25 (the newest), in percent.

// flapResults is how many results the score reads: Nagios' 21, so 20
// transitions.
const flapResults = 21

// Weights are counted in 76ths so the score is exact: the oldest
// transition weighs 57/76 = 0.75, each newer one 2/76 more, the newest
// 95/76 = 1.25; a score in percent is then units × 100 / (20 × 76).
const (
	flapWeightOldest = 57
	flapWeightStep   = 2
	flapUnitsPerCent = 76 // units × 5 = percent × 76
)

// noteResult adds a result to the flap history (with flap_detection) and
// starts or stops flapping, adding the step that says so. It reports
// whether flapping stopped.
func noteResult(p *Policy, s *State, failed bool, steps *[]Step) (stopped bool) {
	if !p.Flap {
		return false
	}
	s.History <<= 1
	if failed {
		s.History |= 1
	}
	s.History &= 1<<flapResults - 1
	if s.Results < flapResults {
		s.Results++
	}
	if s.Results < flapResults {
		return false // only a full history is scored
	}
	units := flapUnits(s.History)
	switch {
	case !s.Flapping && units*5 >= p.FlapHigh*flapUnitsPerCent:
		s.Flapping = true
		*steps = append(*steps, Step{Kind: StepFlappingStarted})
	case s.Flapping && units*5 <= p.FlapLow*flapUnitsPerCent:
		s.Flapping = false
		*steps = append(*steps, Step{Kind: StepFlappingStopped})
		return true
	}
	return false
}

// flapUnits is the weighted count of changes in a full history, in 76ths.
// Bit 0 is the newest result: the transition between bits i and i+1 is the
// (20−i)-th oldest.
func flapUnits(history uint32) int {
	changes := history ^ history>>1 // bit i: results i and i+1 differ
	units := 0
	for i := range flapResults - 1 {
		if changes&(1<<i) != 0 {
			units += flapWeightOldest + flapWeightStep*(flapResults-2-i)
		}
	}
	return units
}

// FlapScore is the flap score of s in percent: 0 until its history is full.
func FlapScore(s State) float64 {
	if s.Results < flapResults {
		return 0
	}
	return float64(flapUnits(s.History)) * 5 / flapUnitsPerCent
}
