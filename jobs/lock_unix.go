//go:build !windows

package jobs

import (
	"errors"
	"syscall"
)

// pidAlive reports whether a process with this pid exists (signal 0 probes
// without delivering anything; EPERM means it exists under another user).
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
