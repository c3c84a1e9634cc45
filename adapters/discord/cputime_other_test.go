//go:build !unix

package discord_test

import "time"

// cpuTime is unknown here; the benchmark then reports no CPU metric.
func cpuTime() time.Duration { return 0 }
