//go:build unix

package bench

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS is a finished child's peak resident set in bytes as wait4
// reports it. On Linux that is at least the parent's own peak at the
// child's start (the child runs in the parent's address space until it
// execs), so a child started after B's read_csv ran in this process would
// report B's peak: children say their own (selfPeakRSS) where they can.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) // bytes there
	}
	return int64(ru.Maxrss) * 1024 // KiB on Linux and the BSDs
}
