//go:build unix

package policies

import "syscall"

// processCPU is the CPU time the process has used (every thread: the
// compiling goroutines and the garbage collector), in ns; -1 if unknown.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
