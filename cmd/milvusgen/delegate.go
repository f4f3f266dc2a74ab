package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// fullName is the companion binary that runs the commands the lite build
// leaves out (apply, chart, diff, render --hydrate).
const fullName = "milvusgen-full"

// errDelegate asks run to hand the whole command line to milvusgen-full.
var errDelegate = errors.New("delegated to " + fullName)

// runFull runs args in milvusgen-full, found beside this executable or on
// PATH, with the same standard streams, and returns its exit code.
func runFull(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	path := ""
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), fullName); isExecutable(p) {
			path = p
		}
	}
	if path == "" {
		if p, err := exec.LookPath(fullName); err == nil {
			path = p
		}
	}
	if path == "" {
		fmt.Fprintf(stderr, "milvusgen: %q needs %s (the build with the Helm SDK and Kubernetes clients) beside milvusgen or on PATH; `make build` builds both\n", args[0], fullName)
		return exitFailure
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	fmt.Fprintf(stderr, "milvusgen: running %s failed: %v\n", path, err)
	return exitFailure
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
