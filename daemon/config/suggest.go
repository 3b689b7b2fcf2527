package config

import "strings"

// suggestion is the known name a misspelt name most likely meant, or ""
// when none is close enough to be a typing slip.
func suggestion(name string, known []string) string {
	best, bestDist := "", maxSlip(name)+1
	lower := strings.ToLower(name)
	for _, k := range known {
		if d := distance(lower, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// maxSlip is how many edits still look like a typing slip: short names
// differ from each other by two edits all the time ("tcp", "pid").
func maxSlip(name string) int {
	if len(name) <= 4 {
		return 1
	}
	return 2
}

// distance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each count one, so
// "intreval" is one slip from "interval".
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Suggest is the name among known that name most likely meant, or "" when
// none is close enough to be a typing slip: a config key, or the check a
// heatctl verb names.
func Suggest(name string, known []string) string { return suggestion(name, known) }
