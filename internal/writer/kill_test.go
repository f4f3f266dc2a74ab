//go:build unix

package writer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// The kill tests re-run the test binary as a helper that writes trees
// and is killed with SIGKILL: at each step of a write in turn (the
// writer's hook kills the process), then at random moments.
const (
	helperEnv     = "MILVUSGEN_WRITER_HELPER" // "step" or "loop"
	helperDirEnv  = "MILVUSGEN_WRITER_DIR"
	helperStepEnv = "MILVUSGEN_WRITER_STEP"
	helperTreeEnv = "MILVUSGEN_WRITER_TREE"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

var killTrees = [][]manifest.File{
	files("a.yaml", "a1", "aws/b.yaml", "b", "aws/iam/c.json", "c1", "old/d.yaml", "d", "old/deep/e.yaml", "e", "run.sh", "#!/bin/sh\n"),
	files("a.yaml", "a2", "aws/b.yaml", "b", "aws/iam/c.json", "c2", "new/f.yaml", "f", "new/deep/g.yaml", "g", "run.sh", "#!/bin/sh\n", "h.yaml", "h"),
	files("a.yaml", strings.Repeat("a3\n", 100000), "aws/iam/c.json", "c3", "old/deep/e.yaml", "e3", "new/f.yaml", "f3"),
}

// foreign are the user's files in the tree, which no kill may touch.
var foreign = disk{"README.md": "mine", "aws/notes.md": "mine too", "old/keep.txt": "mine as well"}

func helper(mode string) int {
	dir := os.Getenv(helperDirEnv)
	switch mode {
	case "step":
		n, _ := strconv.Atoi(os.Getenv(helperStepEnv))
		k, _ := strconv.Atoi(os.Getenv(helperTreeEnv))
		count := 0
		hook = func(string) {
			if count++; count == n {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
		if _, err := Write(dir, killTrees[k]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case "rounds":
		for i := range 4 {
			if _, err := Write(dir, killTrees[(i+os.Getpid())%len(killTrees)]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	case "loop":
		fmt.Println("ready")
		for i := 0; ; i++ {
			if _, err := Write(dir, killTrees[i%len(killTrees)]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	return 2
}

func helperCmd(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

func killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// killSetup writes tree k and the user's files into a new directory.
func killSetup(t *testing.T, k int) (string, map[string]os.FileInfo) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	mustWrite(t, dir, killTrees[k])
	infos := map[string]os.FileInfo{}
	for p, data := range foreign {
		writeFile(t, filepath.Join(dir, p), data)
		fi, _ := os.Stat(filepath.Join(dir, p))
		infos[p] = fi
	}
	return dir, infos
}

// assertEachFileWhole: after a kill every file is one of the trees'
// versions of it (or absent), never a mix, and the manifest is whole.
func assertEachFileWhole(t *testing.T, dir string, trees ...[]manifest.File) {
	t.Helper()
	versions := map[string][]string{}
	for _, tr := range trees {
		for _, f := range tr {
			versions[f.Path] = append(versions[f.Path], string(f.Data))
		}
	}
	for p, got := range snapshot(t, dir) {
		if strings.HasSuffix(p, "/") || foreign[p] != "" || p == ManifestName || Transient(p) {
			continue
		}
		if !slices.Contains(versions[p], got) {
			t.Errorf("after the kill %s holds %.40q, none of its versions", p, got)
		}
	}
	if _, err := ReadManifest(dir); err != nil {
		t.Errorf("after the kill: %v", err)
	}
}

// assertExact: the tree is files plus the user's files, byte for byte,
// with nothing left over (no staged file, no journal, no empty directory
// of milvusgen's), and the user's files are the very same files.
func assertExact(t *testing.T, dir string, fs []manifest.File, infos map[string]os.FileInfo) {
	t.Helper()
	wantDisk := want(fs, foreign)
	for p := range foreign {
		for _, a := range ancestors(p) {
			wantDisk[a+"/"] = ""
		}
	}
	got := snapshot(t, dir)
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range m.Files {
		listed = append(listed, e.Path)
	}
	var rendered []string
	for _, f := range fs {
		rendered = append(rendered, f.Path)
	}
	slices.Sort(rendered)
	if d := cmp.Diff(rendered, listed); d != "" {
		t.Errorf("manifest files (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantDisk, withoutManifest(got)); d != "" {
		t.Fatalf("tree after the kill and one clean write (-want +got):\n%s", d)
	}
	for p, before := range infos {
		after, err := os.Stat(filepath.Join(dir, p))
		if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
			t.Errorf("the user's %s was touched", p)
		}
	}
}

// TestKillAtEveryStep kills a write of tree 0→1 at each of its steps in
// turn. After each kill every file is whole and a check reports the
// unfinished write. The clean write that follows writes tree 1 again, or
// tree 2: recovery must first roll the interrupted write forward (a
// committing journal: tree 1's files and manifest in place) or back (a
// staging one: tree 0 as it was), and only a right recovery gives the
// exact tree 2, since tree 2 removes what the recovered manifest owns.
// The warning says which recovery ran.
func TestKillAtEveryStep(t *testing.T) {
	for _, tr := range [][3]int{{0, 1, 1}, {0, 1, 2}} {
		from, to, then := tr[0], tr[1], tr[2]
		for n := 1; ; n++ {
			dir, infos := killSetup(t, from)
			cmd := helperCmd(t, helperEnv+"=step", helperDirEnv+"="+dir, helperStepEnv+"="+strconv.Itoa(n), helperTreeEnv+"="+strconv.Itoa(to))
			err := cmd.Run()
			if !killed(err) {
				if err != nil {
					t.Fatalf("tree %d->%d, step %d: helper failed: %v", from, to, n, err)
				}
				if n < 10 {
					t.Fatalf("tree %d->%d: the write had only %d steps", from, to, n-1)
				}
				break // n is past the write's last step
			}
			assertEachFileWhole(t, dir, killTrees[from], killTrees[to])
			state := journalState(t, dir)
			_, err = Check(dir, killTrees[then])
			var unfinished *UnfinishedError
			if (state != "") != errors.As(err, &unfinished) {
				t.Errorf("tree %d->%d, killed at step %d: journal %q, Check err %v", from, to, n, state, err)
			}
			var w warnings
			if _, err := WriteTarget(Target{Root: dir, Files: killTrees[then]}, Options{Warnf: w.f}); err != nil {
				t.Fatalf("tree %d->%d->%d, killed at step %d: clean write: %v", from, to, then, n, err)
			}
			switch state {
			case committing:
				if !strings.Contains(w.String(), "finished an earlier write") {
					t.Errorf("killed at step %d while committing: the clean write did not say it finished the interrupted one: %q", n, w.String())
				}
			case staging:
				if !strings.Contains(w.String(), "before it replaced any file") {
					t.Errorf("killed at step %d while staging: the clean write did not say it undid the interrupted one: %q", n, w.String())
				}
			}
			assertExact(t, dir, killTrees[then], infos)
			if t.Failed() {
				t.Fatalf("tree %d->%d->%d, killed at step %d (journal %q)", from, to, then, n, state)
			}
		}
	}
}

// journalState is the state of dir's journal, "" when there is none.
func journalState(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, JournalName))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	return j.State
}

// TestKillAtRandom kills a helper writing tree after tree at random
// moments; a bounded number of rounds, a few milliseconds each.
func TestKillAtRandom(t *testing.T) {
	dir, infos := killSetup(t, 0)
	for round := range 12 {
		cmd := helperCmd(t, helperEnv+"=loop", helperDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("helper: %q, %v", line, err)
		}
		time.Sleep(time.Duration(rand.IntN(8000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); !killed(err) {
			t.Fatalf("round %d: helper ended with %v, want killed", round, err)
		}
		assertEachFileWhole(t, dir, killTrees...)
		k := round % len(killTrees)
		if _, err := Write(dir, killTrees[k]); err != nil {
			t.Fatalf("round %d: clean write: %v", round, err)
		}
		assertExact(t, dir, killTrees[k], infos)
	}
}

// TestConcurrentProcesses: renders in separate processes into one
// directory all succeed (11 of 150 rounds used to fail with false errors).
func TestConcurrentProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var cmds []*exec.Cmd
	for range 3 {
		cmd := helperCmd(t, helperEnv+"=rounds", helperDirEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("a concurrent render failed: %v", err)
		}
	}
	got := withoutManifest(snapshot(t, dir))
	for _, tr := range killTrees {
		if cmp.Equal(want(tr, nil), got) {
			return
		}
	}
	t.Errorf("the final tree is none of the written trees: %v", names(got))
}
