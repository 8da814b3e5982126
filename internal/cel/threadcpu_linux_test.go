package cel

import "syscall"

// threadCPU is the CPU time the calling thread has used, in ns; -1 if
// unknown.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
