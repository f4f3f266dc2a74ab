//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package writer

import (
	"errors"
	"io/fs"
	"os"
)

func tryLock(d *os.File, exclusive bool) error {
	return errors.New("milvusgen cannot lock directories on this system")
}

func owner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
