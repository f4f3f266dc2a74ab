package writer

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// DefaultLockTimeout is how long a writer waits for another one writing
// the same directory when Options.LockTimeout is zero.
const DefaultLockTimeout = 2 * time.Minute

// LockedError says another milvusgen kept the directory locked.
type LockedError struct {
	Root   string
	Waited time.Duration
}

func (e *LockedError) Error() string {
	if e.Waited <= 0 {
		return fmt.Sprintf("%s: another milvusgen is writing this directory; try again when it is done", e.Root)
	}
	return fmt.Sprintf("%s: another milvusgen is still writing this directory after %s; try again when it is done", e.Root, e.Waited)
}

// lockDir takes an advisory lock on the open directory d: exclusive for a
// writer, shared for a check. When it is held elsewhere it says so through
// logf and polls until timeout (never, when timeout is negative). The lock
// goes with d's descriptor, so closing d (or the process dying) releases it.
func lockDir(d *os.File, root string, exclusive bool, timeout time.Duration, logf func(string, ...any)) error {
	if timeout == 0 {
		timeout = DefaultLockTimeout
	}
	err := tryLock(d, exclusive)
	if !errors.Is(err, errWouldBlock) {
		return err
	}
	if timeout < 0 {
		return &LockedError{Root: root}
	}
	logf("%s: another milvusgen is writing this directory; waiting up to %s", root, timeout)
	deadline := time.Now().Add(timeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		if time.Now().After(deadline) {
			return &LockedError{Root: root, Waited: timeout}
		}
		time.Sleep(wait)
		err := tryLock(d, exclusive)
		if !errors.Is(err, errWouldBlock) {
			return err
		}
	}
}

var errWouldBlock = errors.New("lock held elsewhere")
