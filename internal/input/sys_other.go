//go:build !unix

package input

import (
	"os"
	"time"
)

func openNonblock(path string) (*os.File, error) { return os.Open(path) }

func waitReadable(*os.File, time.Duration) error { return nil }
