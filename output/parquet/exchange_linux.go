package parquet

import (
	"errors"

	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps the paths a and b in one rename(2) (RENAME_EXCHANGE), so
// b never goes missing. File systems without it get exchangeByRenames.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return exchangeByRenames(a, b)
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}
