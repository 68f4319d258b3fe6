//go:build !unix

package bench

import "os"

// peakRSS is unknown where the OS does not report it (reported as 0).
func peakRSS(*os.ProcessState) int64 { return 0 }
