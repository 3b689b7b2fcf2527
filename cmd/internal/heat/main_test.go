package heat

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: heat
// runs its check's loop in a goroutine of its own.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
