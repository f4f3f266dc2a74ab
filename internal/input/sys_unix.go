//go:build unix

package input

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// openNonblock opens path for reading without waiting for a FIFO's
// writer.
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
}

// waitReadable waits up to d for f (a pipe) to hold data or for its
// writer to close it. A FIFO opened without blocking reads as empty until
// a writer comes, so its readiness is polled rather than read.
func waitReadable(f *os.File, d time.Duration) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(d)
	var perr error
	var ready bool
	for !ready {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("it is a named pipe (FIFO) that no process wrote to within %s; start the writer first, or give a regular file", d)
		}
		if err := rc.Control(func(fd uintptr) {
			ms := int(min(left, 100*time.Millisecond) / time.Millisecond)
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			var n int
			n, perr = unix.Poll(fds, max(ms, 1))
			if perr == unix.EINTR {
				perr = nil
			}
			ready = n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0
		}); err != nil {
			return err
		}
		if perr != nil {
			return perr
		}
	}
	return nil
}
