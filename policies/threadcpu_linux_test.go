package policies

import (
	"syscall"
	"unsafe"
)

// threadCPU is the CPU time the calling thread has used, in ns, from the
// thread's CPU clock (nanosecond resolution); -1 if unknown.
func threadCPU() int64 {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return -1
	}
	return ts.Nano()
}
