package alert

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: a
// Sender's loop and its posts must end with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
