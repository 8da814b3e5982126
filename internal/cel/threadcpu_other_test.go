//go:build !linux

package cel

// threadCPU is unknown here: -1.
func threadCPU() int64 { return -1 }
