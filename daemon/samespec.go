package daemon

import (
	"bytes"
	"unsafe"

	"github.com/heatd/heatd/check"
)

// sameSpec reports whether a and b are the same settings. A reload takes
// each check whose text did not change as the engine runs it
// (config.LoadAfter): b is then a copy of a, every byte of it, its
// pointers included, and comparing the bytes says so without walking ten
// thousand Specs field by field through reflection. Any other b is
// compared field by field (Spec.Equal).
func sameSpec(a, b *check.Spec) bool {
	size := unsafe.Sizeof(*a)
	if bytes.Equal(unsafe.Slice((*byte)(unsafe.Pointer(a)), size), unsafe.Slice((*byte)(unsafe.Pointer(b)), size)) {
		return true
	}
	return a.Equal(b)
}
