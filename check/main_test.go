package check

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// probes' servers and clients, and the loops, must all end. Started with
// childEnv set, the test binary is instead a target for the process
// check's tests (childMain).
func TestMain(m *testing.M) {
	if what := os.Getenv(childEnv); what != "" {
		childMain(what)
		return
	}
	goleak.VerifyTestMain(m)
}
