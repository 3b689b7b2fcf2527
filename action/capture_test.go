package action

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// keptOf is what a capture of all should return, computed the simple way.
func keptOf(all []byte) []byte {
	if len(all) <= 2*StderrKeep {
		return all
	}
	head, tail := all[:StderrKeep], all[len(all)-StderrKeep:]
	var b bytes.Buffer
	b.Write(head)
	if head[len(head)-1] != '\n' {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "[… %d bytes dropped …]\n", len(all)-2*StderrKeep)
	b.Write(tail)
	return b.Bytes()
}

func TestStderrCapture(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc\n"[rng.IntN(4)]
		}
		return b
	}
	headEndsLine := text(3 * StderrKeep)
	headEndsLine[StderrKeep-1] = '\n'
	for _, all := range [][]byte{
		nil,
		[]byte("one line\n"),
		text(StderrKeep),
		text(2 * StderrKeep),
		text(2*StderrKeep + 1),
		headEndsLine,
		text(10*StderrKeep + 12345),
	} {
		for _, chunk := range []int{1, 7, 4096, StderrKeep + 1, 1 << 30} {
			var c stderrCapture
			for rest := all; len(rest) > 0; {
				k := min(chunk, len(rest))
				if n, err := c.Write(rest[:k]); n != k || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
				rest = rest[k:]
			}
			if got, want := c.Bytes(), keptOf(all); !bytes.Equal(got, want) {
				t.Errorf("%d bytes in writes of %d: kept %d bytes, want %d", len(all), chunk, len(got), len(want))
			}
		}
	}
}
