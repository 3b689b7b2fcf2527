package metrics

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: a
// Server's serving goroutine and its connections must end with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
