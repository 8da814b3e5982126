//go:build !linux

package policies

func threadCPU() int64 { return -1 }
