package check

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// probes' servers and clients, and the loops, must all end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
