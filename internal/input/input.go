package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// Size bounds, one per kind of input. Each is far above what a real input
// holds and far below what can exhaust memory; the watchdog's heap budget
// (2 GiB) bounds what the work on them costs.
const (
	// Spec bounds one spec file. Specs are kilobytes; CUE evaluates a
	// spec of maps and strings at about 3 s per MiB on a busy machine, so
	// a larger spec could not finish within the watchdog's 10 s budget
	// anyway and is refused by its size before evaluation
	// (docs/security.md, "Bounds, writes and Git").
	Spec = 1 << 20
	// Fleet bounds a fleet file, which lists environments and their files.
	Fleet = 1 << 20
	// TreeFile bounds one file of a rendered tree (render --check,
	// validate --rendered, diff --against-dir). The largest rendered file,
	// a hydrated Milvus release, is about 100 KiB.
	TreeFile = 16 << 20
	// Tree bounds the sum of a rendered tree's files.
	Tree = 128 << 20
	// Chart bounds a chart archive (the Milvus chart is under 1 MiB; Helm
	// bounds the decompressed chart itself).
	Chart = 32 << 20
	// Lock bounds the chart lock and other bookkeeping files of milvusgen.
	Lock = 1 << 20
	// Kubeconfig bounds a kubeconfig, which may embed many certificates.
	Kubeconfig = 16 << 20
	// PEM bounds a TLS CA bundle, certificate or key (the system bundle is
	// about 200 KiB).
	PEM = 4 << 20
)

// OpenTimeout bounds the wait for a named pipe's writer, ReadTimeout the
// read of a pipe once a writer is there. Variables for the tests.
var (
	OpenTimeout = 5 * time.Second
	ReadTimeout = 60 * time.Second
)

// Error is a refused or failed read. Err is the underlying error, if
// any: errors.Is(err, fs.ErrNotExist) still tells a missing file.
type Error struct {
	// What names the input ("spec", "fleet file"), set by Named.
	What   string
	Path   string
	Reason string
	Err    error
}

func (e *Error) Error() string {
	subject := e.Path
	if e.What != "" {
		subject = e.What + " " + e.Path
	}
	if e.Reason == "" {
		return fmt.Sprintf("reading %s failed: %v", subject, e.Err)
	}
	return fmt.Sprintf("reading %s failed: %s", subject, e.Reason)
}

// Named returns err naming its input what ("reading spec x.cue failed")
// when it is an *Error, else err.
func Named(what string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.What == "" {
		c := *e
		c.What = what
		return &c
	}
	return err
}

func (e *Error) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped by every refusal for size.
var ErrTooLarge = errors.New("input too large")

func tooLarge(path string, n, max int64, exact bool) error {
	if exact && size(n) == size(max) {
		return &Error{Path: path, Reason: fmt.Sprintf("it is %d bytes; at most %d may be read from it", n, max), Err: ErrTooLarge}
	}
	if exact {
		return &Error{Path: path, Reason: fmt.Sprintf("it is %s; at most %s may be read from it", size(n), size(max)), Err: ErrTooLarge}
	}
	return &Error{Path: path, Reason: fmt.Sprintf("it holds more than %s, the most that may be read from it", size(max)), Err: ErrTooLarge}
}

// size is n bytes for a message: exact below 1 KiB, else in KiB, MiB or
// GiB with one decimal.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// Size is n bytes as messages about bounds state it.
func Size(n int64) string { return size(n) }

// ReadFile reads the file at path, at most max bytes. See the package
// comment for what is refused.
func ReadFile(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &Error{Path: path, Err: unwrapPath(err)}
	}
	if err := kind(path, fi.Mode()); err != nil {
		return nil, err
	}
	if fi.Mode().IsRegular() && fi.Size() > max {
		return nil, tooLarge(path, fi.Size(), max, true)
	}
	f, err := openNonblock(path)
	if err != nil {
		return nil, &Error{Path: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	// The name may have been replaced between Stat and open.
	fi, err = f.Stat()
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	if err := kind(path, fi.Mode()); err != nil {
		return nil, err
	}
	if fi.Mode().IsRegular() {
		if fi.Size() > max {
			return nil, tooLarge(path, fi.Size(), max, true)
		}
		return readAll(path, f, max, fi.Size())
	}
	// A pipe: wait for a writer, bounded, then read under a deadline.
	if err := waitReadable(f, OpenTimeout); err != nil {
		return nil, &Error{Path: path, Reason: err.Error()}
	}
	if err := f.SetReadDeadline(time.Now().Add(ReadTimeout)); err != nil && !errors.Is(err, os.ErrNoDeadline) {
		return nil, &Error{Path: path, Err: err}
	}
	data, err := readAll(path, f, max, 0)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, &Error{Path: path, Reason: fmt.Sprintf("it is a pipe whose writer sent nothing more for %s; close the pipe once the input is written", ReadTimeout)}
	}
	return data, err
}

// kind refuses what is not a regular file or a pipe.
func kind(path string, m fs.FileMode) error {
	switch {
	case m.IsRegular(), m&fs.ModeNamedPipe != 0:
		return nil
	case m.IsDir():
		return &Error{Path: path, Reason: "it is a directory; give a file"}
	case m&fs.ModeCharDevice != 0:
		return &Error{Path: path, Reason: "it is a character device, not a file; give a regular file or a pipe"}
	case m&fs.ModeDevice != 0:
		return &Error{Path: path, Reason: "it is a device, not a file; give a regular file or a pipe"}
	case m&fs.ModeSocket != 0:
		return &Error{Path: path, Reason: "it is a socket, not a file; give a regular file or a pipe"}
	}
	return &Error{Path: path, Reason: fmt.Sprintf("it is not a regular file (%s); give a regular file or a pipe", m.Type())}
}

// Read reads r (standard input, named name in messages), at most max bytes.
func Read(name string, r io.Reader, max int64) ([]byte, error) {
	return readAll(name, r, max, 0)
}

func readAll(name string, r io.Reader, max, hint int64) ([]byte, error) {
	if hint <= 0 || hint > max {
		hint = 512
	}
	buf := make([]byte, 0, hint+1)
	lr := io.LimitReader(r, max+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, err
			}
			return nil, &Error{Path: name, Err: unwrapPath(err)}
		}
	}
	if int64(len(buf)) > max {
		return nil, tooLarge(name, 0, max, false)
	}
	return buf, nil
}

// ReadFS reads name from fsys, at most max bytes; a file of fsys that is
// not a regular file is refused without being read. For a directory tree
// opened with os.DirFS or os.Root.FS.
func ReadFS(fsys fs.FS, name string, max int64) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, &Error{Path: name, Err: unwrapPath(err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, kindOrIrregular(name, fi.Mode())
	}
	if fi.Size() > max {
		return nil, tooLarge(name, fi.Size(), max, true)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &Error{Path: name, Err: unwrapPath(err)}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, kindOrIrregular(name, fi.Mode())
	}
	return readAll(name, f, max, fi.Size())
}

// ReadRoot is ReadFS for a file under an os.Root, as the writer reads the
// tree it writes.
func ReadRoot(r *os.Root, name string, max int64) ([]byte, error) {
	return ReadFS(r.FS(), name, max)
}

func kindOrIrregular(path string, m fs.FileMode) error {
	if m&fs.ModeNamedPipe != 0 {
		return &Error{Path: path, Reason: "it is a named pipe; a rendered tree holds only regular files"}
	}
	return kind(path, m)
}

// unwrapPath drops an *fs.PathError's own path, which Error states.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
