//go:build unix

package bottest

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time the process has used so far, user and system, on
// every thread. Per operation it is a benchmark's cost that, unlike wall
// time, does not grow when other work shares the machine.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
