//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

func tryLock(d *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), how|syscall.LOCK_NB)
			if !errors.Is(ferr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	if errors.Is(ferr, syscall.EWOULDBLOCK) {
		return errWouldBlock
	}
	if ferr != nil {
		return fmt.Errorf("locking %s failed: %w", d.Name(), ferr)
	}
	return nil
}

// owner returns the owner of the file fi describes.
func owner(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}
