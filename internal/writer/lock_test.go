package writer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// holdLock takes the writer's lock on dir, as another milvusgen would.
func holdLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := tryLock(f, true); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { f.Close() }) }
	t.Cleanup(release)
	return release
}

func TestLockFailsClearly(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, files("a.yaml", "1"))
	holdLock(t, dir)
	_, err := WriteTarget(Target{Root: dir, Files: files("a.yaml", "2")}, Options{LockTimeout: -1})
	var locked *LockedError
	if !errors.As(err, &locked) || !strings.Contains(err.Error(), "another milvusgen is writing") {
		t.Fatalf("err = %v, want a LockedError", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.yaml")); string(b) != "1" {
		t.Error("a write went ahead without the lock")
	}
}

// TestLockWaits: a second writer says it waits, then writes once the
// first is done.
func TestLockWaits(t *testing.T) {
	dir := t.TempDir()
	release := holdLock(t, dir)
	waiting := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		_, err := WriteTarget(Target{Root: dir, Files: files("a.yaml", "2")}, Options{Logf: func(format string, args ...any) {
			select {
			case waiting <- format:
			default:
			}
		}})
		done <- err
	}()
	if msg := <-waiting; !strings.Contains(msg, "waiting") {
		t.Errorf("message %q", msg)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.yaml")); string(b) != "2" {
		t.Error("the waiting write did not happen")
	}
}

// TestConcurrentWriters: writers and checkers on one directory at once
// never fail (they used to report "no such file or directory" or "holds
// files milvusgen did not write"), and the result is one whole tree.
func TestConcurrentWriters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 4 {
				if _, err := Write(dir, killTrees[(w+i)%len(killTrees)]); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 4 {
				if _, err := Check(dir, killTrees[0]); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := withoutManifest(snapshot(t, dir))
	for _, tr := range killTrees {
		if cmp.Equal(want(tr, nil), got) {
			return
		}
	}
	t.Errorf("the final tree is none of the written trees: %v", names(got))
}

// TestWriteAllLockPrecheck: a tree another milvusgen holds stops the whole
// set before anything is written.
func TestWriteAllLockPrecheck(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	mustWrite(t, a, files("x.yaml", "1"))
	mustWrite(t, b, files("x.yaml", "1"))
	holdLock(t, b)
	_, err := WriteAll([]Target{{Root: a, Files: files("x.yaml", "2")}, {Root: b, Files: files("x.yaml", "2")}}, Options{LockTimeout: -1})
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Root != b {
		t.Fatalf("err = %v, want %s locked", err, b)
	}
	if got, _ := os.ReadFile(filepath.Join(a, "x.yaml")); string(got) != "1" {
		t.Error("the unlocked tree was written although another was locked")
	}
}
