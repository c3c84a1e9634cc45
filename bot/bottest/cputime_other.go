//go:build !unix

package bottest

import "time"

// CPUTime is not measured on this system; it is always 0, and benchmarks
// leave out their CPU figures.
func CPUTime() time.Duration { return 0 }
