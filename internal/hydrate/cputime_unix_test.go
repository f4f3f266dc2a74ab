//go:build unix

package hydrate

import "syscall"

// cpuTime is the process's user and system CPU time in nanoseconds: on a
// busy machine it moves much less than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
