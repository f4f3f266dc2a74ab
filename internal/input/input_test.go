package input

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFile: one case per kind of input, each ending at once with a
// message naming the path.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "spec.yaml")
	os.WriteFile(regular, []byte("cluster: {}\n"), 0o644)
	oversize := filepath.Join(dir, "big.yaml")
	os.WriteFile(oversize, make([]byte, 2048), 0o644)
	// A sparse file: its size is refused before any byte is read.
	huge := filepath.Join(dir, "huge.yaml")
	if f, err := os.Create(huge); err == nil {
		f.Truncate(20 << 30)
		f.Close()
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { OpenTimeout = d }(OpenTimeout)
	OpenTimeout = 50 * time.Millisecond

	for name, tc := range map[string]struct {
		path string
		max  int64
		want string // "" means the read succeeds
	}{
		"regular":       {regular, 1024, ""},
		"exactly max":   {regular, 12, ""},
		"oversize":      {oversize, 1024, "reading " + oversize + " failed: it is 2.0 KiB; at most 1.0 KiB may be read from it"},
		"sparse 20 GiB": {huge, TreeFile, "it is 20.0 GiB; at most 16.0 MiB"},
		"/dev/zero":     {"/dev/zero", Spec, "reading /dev/zero failed: it is a character device, not a file"},
		"directory":     {dir, Spec, "it is a directory"},
		"missing":       {filepath.Join(dir, "nope"), Spec, "no such file or directory"},
		"silent FIFO":   {fifo, Spec, "reading " + fifo + " failed: it is a named pipe (FIFO) that no process wrote to within 50ms"},
	} {
		t.Run(name, func(t *testing.T) {
			data, err := ReadFile(tc.path, tc.max)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("ReadFile: %v", err)
			case tc.want == "" && string(data) != "cluster: {}\n":
				t.Fatalf("ReadFile = %q", data)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("ReadFile error = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ReadFile(filepath.Join(dir, "nope"), 1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file's error %v is not fs.ErrNotExist", err)
	}
}

// TestReadFIFO: a FIFO whose writer comes later is read whole; one that
// writes more than the bound is refused; one whose writer stays silent is
// cut off by the read deadline.
func TestReadFIFO(t *testing.T) {
	dir := t.TempDir()
	defer func(o, r time.Duration) { OpenTimeout, ReadTimeout = o, r }(OpenTimeout, ReadTimeout)
	OpenTimeout, ReadTimeout = time.Minute, time.Minute
	fifo := func(name string) string {
		p := filepath.Join(dir, name)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	writer := func(p string, data []byte, stay chan struct{}) {
		go func() {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			f.Write(data)
			if stay != nil {
				<-stay
			}
		}()
	}

	p := fifo("ok")
	writer(p, []byte("a: 1\n"), nil)
	if data, err := ReadFile(p, 100); err != nil || string(data) != "a: 1\n" {
		t.Errorf("FIFO with a writer: %q, %v", data, err)
	}

	p = fifo("big")
	writer(p, make([]byte, 4096), nil)
	if _, err := ReadFile(p, 100); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "holds more than 100 bytes") {
		t.Errorf("FIFO past the bound: %v", err)
	}

	p = fifo("silent")
	stay := make(chan struct{})
	defer close(stay)
	writer(p, []byte("a"), stay)
	ReadTimeout = 50 * time.Millisecond
	if _, err := ReadFile(p, 100); err == nil || !strings.Contains(err.Error(), "sent nothing more for 50ms") {
		t.Errorf("FIFO whose writer stays open: %v", err)
	}
}

func TestReadStdin(t *testing.T) {
	if _, err := Read("-", strings.NewReader(strings.Repeat("#", 101)), 100); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "reading - failed") {
		t.Errorf("Read past the bound: %v", err)
	}
	if data, err := Read("-", strings.NewReader("abc"), 3); err != nil || string(data) != "abc" {
		t.Errorf("Read = %q, %v", data, err)
	}
}

func TestReadFS(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.yaml"), make([]byte, 200), 0o644)
	syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o600)
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml"))
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if data, err := ReadRoot(r, "a.yaml", 100); err != nil || string(data) != "a" {
		t.Errorf("ReadRoot = %q, %v", data, err)
	}
	for name, want := range map[string]string{
		"big.yaml":  "it is 200 bytes; at most 100 bytes",
		"fifo.yaml": "named pipe",
		"zero.yaml": "", // os.Root refuses a symlink leaving the root
	} {
		if _, err := ReadFS(os.DirFS(dir), name, 100); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadFS(%s) = %v, want %q", name, err, want)
		}
		if _, err := ReadRoot(r, name, 100); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadRoot(%s) = %v, want %q", name, err, want)
		}
	}
}
