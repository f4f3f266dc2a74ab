//go:build linux

package writer

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readOnly makes dir read-only: by its mode when the test is not root,
// by a read-only bind mount when it is (root ignores modes).
func readOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("as root, a read-only directory needs a Linux bind mount")
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount %s read-only here: %v", dir, err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount %s read-only: %v", dir, err)
	}
}

// TestReadOnlyOldFiles: a file that cannot be removed no longer fails a
// write that put the new tree in place (it used to exit 1 and leave
// .old-* behind). It is reported, not counted, and removed by a later
// write.
func TestReadOnlyOldFiles(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, root, files("a.yaml", "1", "ro.yaml", "r", "old/x.yaml", "x"))
	// A read-only file is replaced like any other.
	if err := os.Chmod(filepath.Join(root, "ro.yaml"), 0o444); err != nil {
		t.Fatal(err)
	}
	readOnly(t, filepath.Join(root, "old"))

	var w warnings
	cs, err := WriteTarget(Target{Root: root, Files: files("a.yaml", "2", "ro.yaml", "r2")}, Options{Warnf: w.f})
	if err != nil {
		t.Fatalf("the new tree is in place, but: %v", err)
	}
	if d := cmp.Diff([]Change{{"a.yaml", Updated}, {"ro.yaml", Updated}}, cs); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if !strings.Contains(w.String(), "could not remove old/x.yaml") {
		t.Errorf("warnings %q, want one for old/x.yaml", w.String())
	}
	if d := cmp.Diff(disk{"a.yaml": "2", "ro.yaml": "r2", "old/": "", "old/x.yaml": "x"}, withoutManifest(snapshot(t, root))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	if fi, _ := os.Stat(filepath.Join(root, "ro.yaml")); fi.Mode().Perm() != 0o444 {
		t.Errorf("ro.yaml mode %v, want the user's 0444 kept", fi.Mode())
	}
	// Still milvusgen's, so a write can remove it once it may.
	if cs, err := Check(root, files("a.yaml", "2", "ro.yaml", "r2")); err != nil || len(Changed(cs)) != 1 {
		t.Errorf("check: %v, %v; want old/x.yaml to delete", cs, err)
	}
}

// TestReadOnlyDirectoryFailsWhole: a file that cannot be written fails
// the write before anything was replaced.
func TestReadOnlyDirectoryFailsWhole(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, root, files("a.yaml", "1", "ro/x.yaml", "x"))
	before := snapshot(t, root)
	readOnly(t, filepath.Join(root, "ro"))
	if _, err := Write(root, files("a.yaml", "2", "ro/x.yaml", "y")); err == nil {
		t.Fatal("want an error writing into a read-only directory")
	}
	if d := cmp.Diff(before, snapshot(t, root)); d != "" {
		t.Errorf("a failed write changed the tree (-before +after):\n%s", d)
	}
}

// TestKeepsModeAndOwner: the directory's and subdirectories' mode and
// owner stay (they used to become 755 root), a replaced file keeps the
// user's mode and owner, and new files follow the umask.
func TestKeepsModeAndOwner(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	mustWrite(t, root, files("a.yaml", "1", "aws/b.yaml", "2", "run.sh", "#!/bin/sh\n"))
	for p, want := range map[string]os.FileMode{".": 0o750, "aws": 0o750, "a.yaml": 0o640, "run.sh": 0o750} {
		if fi, err := os.Stat(filepath.Join(root, p)); err != nil || fi.Mode().Perm() != want {
			t.Errorf("new %s: mode %v, %v; want %v under umask 027", p, fi.Mode().Perm(), err, want)
		}
	}

	root2 := t.TempDir()
	mustWrite(t, root2, files("a.yaml", "1", "aws/b.yaml", "2"))
	set := map[string]os.FileMode{".": 0o700, "aws": 0o711, "a.yaml": 0o600}
	for p, m := range set {
		if err := os.Chmod(filepath.Join(root2, p), m); err != nil {
			t.Fatal(err)
		}
	}
	asRoot := os.Geteuid() == 0
	owners := map[string]int{".": 1000, "aws": 1001, "a.yaml": 1002}
	if asRoot {
		for p, id := range owners {
			if err := os.Lchown(filepath.Join(root2, p), id, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustWrite(t, root2, files("a.yaml", "one", "aws/b.yaml", "two", "aws/c.yaml", "3"))
	for p, m := range set {
		fi, err := os.Stat(filepath.Join(root2, p))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != m {
			t.Errorf("%s: mode %v, want %v kept", p, fi.Mode().Perm(), m)
		}
		if uid, gid, _ := owner(fi); asRoot && (uid != owners[p] || gid != owners[p]) {
			t.Errorf("%s: owner %d:%d, want %d kept", p, uid, gid, owners[p])
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root2, "a.yaml")); string(b) != "one" {
		t.Errorf("a.yaml = %q", b)
	}
	if !asRoot {
		t.Log("owners not checked: the test is not root")
	}
}

// TestMountPoint: the output directory is a mount point (a tmpfs, a CI or
// container volume); it used to fail with "device or resource busy".
func TestMountPoint(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root on Linux")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=8m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	mustWrite(t, dir, files("a.yaml", "1", "d/b.yaml", "2"))
	next := files("a.yaml", "one", "e/c.yaml", "3")
	mustWrite(t, dir, next)
	if d := cmp.Diff(want(next, nil), withoutManifest(snapshot(t, dir))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}
