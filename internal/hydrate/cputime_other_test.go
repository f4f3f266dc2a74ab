//go:build !unix

package hydrate

func cpuTime() int64 { return 0 }
