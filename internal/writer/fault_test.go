//go:build unix

package writer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// injectFault makes fault fail op on the paths match accepts, with err,
// for the rest of the test.
func injectFault(t *testing.T, op string, match func(path string) bool, err error) {
	t.Helper()
	old := fault
	fault = func(o, p string) error {
		if o == op && match(p) {
			return err
		}
		return nil
	}
	t.Cleanup(func() { fault = old })
}

func stagedIn(root string) func(string) bool {
	return func(p string) bool {
		return strings.HasPrefix(p, root+string(filepath.Separator)) && strings.HasPrefix(filepath.Base(p), tempPrefix) && filepath.Base(p) != manifestTemp
	}
}

// fleetSetup writes tree 0 into n directories and returns them and what
// each holds.
func fleetSetup(t *testing.T, n int) ([]string, []disk) {
	t.Helper()
	var roots []string
	var before []disk
	for i := range n {
		root := filepath.Join(t.TempDir(), fmt.Sprintf("env%d", i))
		mustWrite(t, root, killTrees[0])
		roots = append(roots, root)
		before = append(before, snapshot(t, root))
	}
	return roots, before
}

func targets(roots []string, files []manifest.File) []Target {
	var ts []Target
	for _, r := range roots {
		ts = append(ts, Target{Root: r, Files: files})
	}
	return ts
}

// assertUnchanged: every root holds exactly what it held before.
func assertUnchanged(t *testing.T, roots []string, before []disk) {
	t.Helper()
	for i, root := range roots {
		if d := cmp.Diff(before[i], snapshot(t, root)); d != "" {
			t.Errorf("%s changed although the write failed (-before +after):\n%s", root, d)
		}
	}
}

// TestFleetDiskFull: a full disk while staging the fourth of five trees
// fails the whole write before its first rename. Every tree is byte for
// byte what it was, with no staged file or journal left, a check passes,
// and the message says nothing was written. A writer that commits each
// tree once it is staged leaves the other trees new and fails this.
func TestFleetDiskFull(t *testing.T) {
	roots, before := fleetSetup(t, 5)
	injectFault(t, "write", stagedIn(roots[3]), syscall.ENOSPC)
	_, err := WriteAll(targets(roots, killTrees[1]), Options{})
	var pe *PartialError
	if err == nil || !errors.Is(err, syscall.ENOSPC) || errors.As(err, &pe) {
		t.Fatalf("WriteAll on a full disk = %v, want ENOSPC before any rename", err)
	}
	assertUnchanged(t, roots, before)
	if _, err := CheckAll(targets(roots, killTrees[0]), Options{}); err != nil {
		t.Errorf("a check after the failed write: %v", err)
	}
}

// TestFleetDiskFullTmpfs is TestFleetDiskFull on a real full disk: a
// 1 MiB tmpfs (mounting needs root; skipped otherwise).
func TestFleetDiskFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v); TestFleetDiskFull injects the same failure", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	var roots []string
	var before []disk
	for i := range 4 {
		root := filepath.Join(dir, fmt.Sprintf("env%d", i))
		mustWrite(t, root, killTrees[0])
		roots = append(roots, root)
		before = append(before, snapshot(t, root))
	}
	// 4 × 300 KB staged on 1 MiB: the disk fills while staging.
	big := files("a.yaml", strings.Repeat("x", 300<<10), "aws/b.yaml", "b")
	_, err := WriteAll(targets(roots, big), Options{})
	var pe *PartialError
	if err == nil || !errors.Is(err, syscall.ENOSPC) || errors.As(err, &pe) {
		t.Fatalf("WriteAll on a full tmpfs = %v, want ENOSPC before any rename", err)
	}
	assertUnchanged(t, roots, before)
}

// TestFsyncFaults fails each kind of fsync in turn: of a staged file
// (stage), of a journal (writeSynced) and of a directory (syncDir). Each
// must fail the write and leave the tree as it was; a write that skips
// that fsync succeeds and fails the test.
func TestFsyncFaults(t *testing.T) {
	for name, tc := range map[string]struct {
		op    string
		match func(root string) func(string) bool
	}{
		"staged file": {"sync", stagedIn},
		"journal": {"sync", func(root string) func(string) bool {
			return func(p string) bool { return p == filepath.Join(root, journalTemp) }
		}},
		"new directory": {"syncdir", func(root string) func(string) bool {
			return func(p string) bool { return p == filepath.Join(root, "new/deep") }
		}},
	} {
		t.Run(name, func(t *testing.T) {
			roots, before := fleetSetup(t, 1)
			injectFault(t, tc.op, tc.match(roots[0]), syscall.EIO)
			if _, err := Write(roots[0], killTrees[1]); !errors.Is(err, syscall.EIO) {
				t.Fatalf("Write with a failing %s fsync = %v, want EIO", name, err)
			}
			assertUnchanged(t, roots, before)
		})
	}
}

// TestFailedCleanupKeepsJournal: a write fails while staging and the
// removal of one staged file fails too. The journal stays (saying
// staging), a check reports the tree unfinished, and the next write
// removes the leftover and says so.
func TestFailedCleanupKeepsJournal(t *testing.T) {
	roots, _ := fleetSetup(t, 1)
	root := roots[0]
	var leftover string
	old := fault
	t.Cleanup(func() { fault = old })
	fault = func(op, p string) error {
		switch {
		case op == "write" && filepath.Base(p) == tempPrefix+"manifest":
		case op == "write" && strings.HasSuffix(p, JournalName+".tmp"):
		case op == "write" && strings.Contains(p, string(filepath.Separator)+"new"+string(filepath.Separator)) && stagedIn(root)(p):
			return syscall.ENOSPC
		case op == "remove" && stagedIn(root)(p) && leftover == "":
			leftover = p
			return syscall.EIO
		}
		return nil
	}
	var w warnings
	if _, err := WriteTarget(Target{Root: root, Files: killTrees[1]}, Options{Warnf: w.f}); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Write = %v, want ENOSPC", err)
	}
	fault = old
	if leftover == "" {
		t.Fatal("no staged file was left behind")
	}
	if _, err := os.Stat(leftover); err != nil {
		t.Fatalf("the staged file whose removal failed: %v", err)
	}
	if !strings.Contains(w.String(), "stays, so the next render removes them") {
		t.Errorf("warnings %q do not say the journal stays", w.String())
	}
	var unfinished *UnfinishedError
	if _, err := Check(root, killTrees[1]); !errors.As(err, &unfinished) {
		t.Errorf("Check after a failed cleanup = %v, want the unfinished write reported", err)
	}
	w = warnings{}
	if _, err := WriteTarget(Target{Root: root, Files: killTrees[1]}, Options{Warnf: w.f}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("the next write left %s: %v", leftover, err)
	}
	if !strings.Contains(w.String(), "removed its") {
		t.Errorf("the next write did not say it removed the staged files: %q", w.String())
	}
	if d := cmp.Diff(want(killTrees[1], nil), withoutManifest(snapshot(t, root))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}

// TestPartialError: a rename that fails after every tree was marked
// leaves the failing tree old with its journal, the others new; the
// error names both, a check reports the unfinished one, and the next
// write finishes it.
func TestPartialError(t *testing.T) {
	roots, _ := fleetSetup(t, 3)
	// A directory where a file goes makes its rename fail (EISDIR/EEXIST),
	// after the pre-checks (which see the path free).
	old := hook
	t.Cleanup(func() { hook = old })
	done := false
	hook = func(step string) {
		if step == "committing" && !done {
			done = true
			os.MkdirAll(filepath.Join(roots[1], "h.yaml", "x"), 0o755)
		}
	}
	_, err := WriteAll(targets(roots, killTrees[1]), Options{})
	hook = old
	var pe *PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("WriteAll = %v, want a *PartialError", err)
	}
	if len(pe.Old) != 1 || pe.Old[0] != roots[1] || len(pe.New) != 2 || !strings.Contains(err.Error(), "2 of 3 trees hold the new files") {
		t.Errorf("PartialError = %+v (%v)", pe, err)
	}
	var unfinished *UnfinishedError
	if _, err := CheckAll(targets(roots, killTrees[1]), Options{}); !errors.As(err, &unfinished) || unfinished.Root != roots[1] {
		t.Errorf("CheckAll = %v, want %s unfinished", err, roots[1])
	}
	os.RemoveAll(filepath.Join(roots[1], "h.yaml"))
	if _, err := WriteAll(targets(roots, killTrees[1]), Options{}); err != nil {
		t.Fatal(err)
	}
	for _, root := range roots {
		if d := cmp.Diff(want(killTrees[1], nil), withoutManifest(snapshot(t, root))); d != "" {
			t.Errorf("%s (-want +got):\n%s", root, d)
		}
	}
}

// TestStrayStagedFiles: staged files an earlier write left without a
// journal (the symlink-swap loop left 13) fail a check, and the
// next write removes them and says so.
func TestStrayStagedFiles(t *testing.T) {
	roots, _ := fleetSetup(t, 1)
	root := roots[0]
	strays := []string{filepath.Join(root, tempPrefix+"0123456789abcdef"), filepath.Join(root, "aws", "iam", tempPrefix+"fedcba9876543210")}
	for _, p := range strays {
		writeFile(t, p, "half a file")
	}
	var stray *StrayError
	if _, err := Check(root, killTrees[0]); !errors.As(err, &stray) || len(stray.Files) != 2 {
		t.Fatalf("Check with stray staged files = %v, want a *StrayError naming both", err)
	}
	var w warnings
	if _, err := WriteTarget(Target{Root: root, Files: killTrees[0]}, Options{Warnf: w.f}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.String(), "removed 2 staged files an earlier write left behind") {
		t.Errorf("warnings %q", w.String())
	}
	for _, p := range strays {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived the write: %v", p, err)
		}
	}
	if _, err := Check(root, killTrees[0]); err != nil {
		t.Errorf("Check after the write: %v", err)
	}
}
