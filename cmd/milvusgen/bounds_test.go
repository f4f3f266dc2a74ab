package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/input"
)

// TestBoundedInputs: every file the commands read goes through the
// bounded reader: a device, a FIFO no process writes to and an oversize
// file each end the command at once, with the path in the message, and
// nothing is written.
func TestBoundedInputs(t *testing.T) {
	defer func(d time.Duration) { input.OpenTimeout = d }(input.OpenTimeout)
	input.OpenTimeout = 100 * time.Millisecond
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if f, err := os.Create(big); err == nil {
		f.Truncate(input.Spec + 1)
		f.Close()
	}
	spec := "../../examples/minimal/spec.yaml"
	out := filepath.Join(dir, "out")
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"spec /dev/zero":       {[]string{"validate", "-f", "/dev/zero"}, "reading spec /dev/zero failed: it is a character device"},
		"spec FIFO":            {[]string{"validate", "-f", fifo}, "reading spec " + fifo + " failed: it is a named pipe (FIFO) that no process wrote to within 100ms"},
		"spec oversize":        {[]string{"render", "-f", big, "-o", out}, "reading spec " + big + " failed: it is 1048577 bytes; at most 1048576 may be read from it"},
		"fleet /dev/zero":      {[]string{"validate", "--fleet", "/dev/zero"}, "reading fleet file /dev/zero failed: it is a character device"},
		"fleet FIFO":           {[]string{"render", "--fleet", fifo}, "reading fleet file " + fifo + " failed: it is a named pipe (FIFO)"},
		"kubeconfig /dev/zero": {[]string{"apply", "-f", spec, "--kubeconfig", "/dev/zero", "--dry-run"}, "reading kubeconfig /dev/zero failed: it is a character device"},
		"kubeconfig FIFO":      {[]string{"apply", "-f", spec, "--kubeconfig", fifo, "--dry-run"}, "reading kubeconfig " + fifo + " failed: it is a named pipe (FIFO)"},
		"--tls-ca /dev/zero":   {[]string{"verify", "-f", spec, "--address", "127.0.0.1:1", "--tls-ca", "/dev/zero"}, "verify: --tls-ca: reading /dev/zero failed: it is a character device"},
		"--tls-cert FIFO":      {[]string{"verify", "-f", spec, "--address", "127.0.0.1:1", "--tls-cert", fifo, "--tls-key", fifo}, "verify: --tls-cert: reading " + fifo + " failed: it is a named pipe (FIFO)"},
		"chart add /dev/zero":  {[]string{"chart", "add", "/dev/zero", "--chart-dir", filepath.Join(dir, "charts")}, "reading chart archive /dev/zero failed: it is a character device"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := milvusgen(t, append(tc.args, today)...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant it to contain %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("something was written: %v", err)
			}
		})
	}
}

// TestBoundedTree: a 20 GiB file (sparse) in a rendered tree is refused by
// its size, with its path, by render --check, validate --rendered and diff
// --against-dir, instead of being read.
func TestBoundedTree(t *testing.T) {
	spec := "../../examples/minimal/spec.yaml"
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := milvusgen(t, "render", today, "-f", spec, "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	victim := filepath.Join(out, "aws", "eksctl-cluster.yaml")
	if err := os.Truncate(victim, 20<<30); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"render --check":      {"render", "-f", spec, "-o", out, "--check"},
		"validate --rendered": {"validate", "--rendered", out},
		"diff --against-dir":  {"diff", "-f", spec, "--against-dir", out},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := milvusgen(t, append(args, today)...)
			all := stdout + stderr
			if code == 0 || !strings.Contains(all, "it is 20.0 GiB; at most 16.0 MiB") || !strings.Contains(all, "eksctl-cluster.yaml") {
				t.Errorf("exit %d, output:\n%s", code, all)
			}
		})
	}
}
