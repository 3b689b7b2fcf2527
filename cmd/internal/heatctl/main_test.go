package heatctl

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// control servers the tests start, and heatctl's own requests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
