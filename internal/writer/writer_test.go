package writer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

func TestWriteCreatesUpdatesAndDeletes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	cs := mustWrite(t, root, files("a.yaml", "1", "dir/b.yaml", "2", "dir/sub/c.yaml", "3"))
	wantCs := []Change{{"a.yaml", Created}, {"dir/b.yaml", Created}, {"dir/sub/c.yaml", Created}}
	if d := cmp.Diff(wantCs, cs); d != "" {
		t.Errorf("first write (-want +got):\n%s", d)
	}
	next := files("a.yaml", "1", "dir/b.yaml", "two", "e.yaml", "5")
	cs = mustWrite(t, root, next)
	wantCs = []Change{{"a.yaml", Unchanged}, {"dir/b.yaml", Updated}, {"dir/sub/c.yaml", Deleted}, {"e.yaml", Created}}
	if d := cmp.Diff(wantCs, cs); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	// dir/sub, which milvusgen created, went with its last file.
	if d := cmp.Diff(want(next, nil), withoutManifest(snapshot(t, root))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	if s, _ := os.ReadDir(filepath.Dir(root)); len(s) != 1 {
		t.Errorf("something was left beside the output: %v", s)
	}
}

func TestWriteUnchangedTouchesNothing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	in := files("a.yaml", "1", "run.sh", "#!/bin/sh\n")
	mustWrite(t, root, in)
	before, _ := os.Stat(filepath.Join(root, "a.yaml"))
	mBefore, _ := os.Stat(filepath.Join(root, ManifestName))
	if c := Changed(mustWrite(t, root, in)); len(c) != 0 {
		t.Errorf("second identical write changed %v", c)
	}
	after, _ := os.Stat(filepath.Join(root, "a.yaml"))
	mAfter, _ := os.Stat(filepath.Join(root, ManifestName))
	if !os.SameFile(before, after) || !os.SameFile(mBefore, mAfter) {
		t.Error("an identical write replaced a file or the manifest")
	}
	st, err := os.Stat(filepath.Join(root, "run.sh"))
	if err != nil || st.Mode().Perm()&0o100 == 0 {
		t.Fatalf("run.sh mode = %v, %v; want executable", st.Mode(), err)
	}
}

// TestCountsAgree: the changes name rendered files only, so a summary
// counting them agrees with the files rendered (issue: "rendered 15 files
// (16 changed)").
func TestCountsAgree(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	in := files("a.yaml", "1", "b.yaml", "2")
	cs := mustWrite(t, root, in)
	if len(cs) != len(in) || len(Changed(cs)) != len(in) {
		t.Errorf("first write of %d files: %d changes, %d changed: %v", len(in), len(cs), len(Changed(cs)), cs)
	}
	for _, c := range cs {
		if c.Path == ManifestName || Transient(c.Path) {
			t.Errorf("bookkeeping reported as a rendered file: %v", c)
		}
	}
}

func TestCheck(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	cs, err := Check(root, files("a.yaml", "1"))
	if err != nil || len(Changed(cs)) != 1 {
		t.Fatalf("Check of a missing directory = %v, %v; want a.yaml created", cs, err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatal("Check created the directory")
	}
	mustWrite(t, root, files("a.yaml", "1", "b.yaml", "2"))
	cs, err = Check(root, files("a.yaml", "1", "b.yaml", "2"))
	if err != nil || len(Changed(cs)) != 0 {
		t.Fatalf("Check of a current tree = %v, %v; want no changes", Changed(cs), err)
	}
	cs, err = Check(root, files("a.yaml", "one", "c.yaml", "3"))
	if err != nil {
		t.Fatal(err)
	}
	wantCs := []Change{{"a.yaml", Updated}, {"b.yaml", Deleted}, {"c.yaml", Created}}
	if d := cmp.Diff(wantCs, Changed(cs)); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(disk{"a.yaml": "1", "b.yaml": "2"}, withoutManifest(snapshot(t, root))); d != "" {
		t.Errorf("Check wrote to the tree (-want +got):\n%s", d)
	}
}

func TestWriteRejectsBadFileLists(t *testing.T) {
	for _, in := range [][]manifest.File{
		files("../x", "x"), files("/etc/passwd", "x"), files("a/../../b", "x"), files("", "x"),
		files(".", "x"), files("a//b", "x"), files(ManifestName, "x"), files(JournalName, "x"),
		files("a/.milvusgen-tmp-1", "x"), files(".git/config", "x"), files(`a\b`, "x"),
		files("a", "1", "a", "2"), files("x", "f", "x/y", "g"),
	} {
		root := filepath.Join(t.TempDir(), "out")
		if _, err := Write(root, in); err == nil {
			t.Errorf("Write(%q) succeeded, want an error", in[len(in)-1].Path)
		}
		if _, err := os.Stat(root); err == nil {
			t.Errorf("Write(%q) created the output directory", in[len(in)-1].Path)
		}
	}
}

// TestWriteDot: `-o .` used to fail with "rename . ./...old-…: device or
// resource busy".
func TestWriteDot(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	mustWrite(t, ".", files("a.yaml", "1", "d/b.yaml", "2"))
	mustWrite(t, ".", files("a.yaml", "one", "c.yaml", "3"))
	if d := cmp.Diff(disk{"a.yaml": "one", "c.yaml": "3"}, withoutManifest(snapshot(t, dir))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}

// TestWritePWDKeepsDirectory: `-o "$PWD"` used to leave the shell in a
// deleted directory. The directory keeps its inode, so a process sitting
// in it sees the new files and can still create its own.
func TestWritePWDKeepsDirectory(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, files("a.yaml", "1"))
	before, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // the shell
	mustWrite(t, dir, files("a.yaml", "2", "b.yaml", "3"))
	after, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Fatal("the output directory was replaced: its inode changed")
	}
	got, err := os.ReadFile("b.yaml") // relative to the working directory
	if err != nil || string(got) != "3" {
		t.Fatalf("the working directory does not show the new file: %q, %v", got, err)
	}
	if err := os.WriteFile("foo", nil, 0o644); err != nil {
		t.Fatalf("touch foo in the working directory: %v", err)
	}
}

// TestWriteRepositoryRoot: a Git work tree's root is written without
// --adopt, and .git and the user's files are never touched.
func TestWriteRepositoryRoot(t *testing.T) {
	repo := gitInit(t)
	writeFile(t, filepath.Join(repo, "README.md"), "fleet\n")
	gitBefore := snapshotAll(t, filepath.Join(repo, ".git"))
	mustWrite(t, repo, files("aws/a.yaml", "1", "flux/b.yaml", "2"))
	mustWrite(t, repo, files("aws/a.yaml", "one"))
	if d := cmp.Diff(disk{".git/": "", "README.md": "fleet\n", "aws/": "", "aws/a.yaml": "one"}, withoutManifest(snapshot(t, repo))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	if d := cmp.Diff(gitBefore, snapshotAll(t, filepath.Join(repo, ".git"))); d != "" {
		t.Errorf(".git changed (-before +after):\n%s", d)
	}
	// A file of the user's where milvusgen would write is refused.
	writeFile(t, filepath.Join(repo, "kubernetes", "x.yaml"), "mine")
	_, err := Write(repo, files("aws/a.yaml", "one", "kubernetes/x.yaml", "ours"))
	if err == nil || !strings.Contains(err.Error(), "kubernetes/x.yaml") {
		t.Fatalf("err = %v, want a refusal naming kubernetes/x.yaml", err)
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "kubernetes", "x.yaml")); string(b) != "mine" {
		t.Error("the user's file was overwritten")
	}
}

func snapshotAll(t *testing.T, root string) disk {
	t.Helper()
	got := disk{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		got[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestAdoption: a directory without a manifest is written when empty, a
// Git work tree's root, or adopted; anything else is refused at once.
func TestAdoption(t *testing.T) {
	in := files("a.yaml", "1", "b.yaml", "2")

	t.Run("empty", func(t *testing.T) {
		mustWrite(t, t.TempDir(), in)
	})
	t.Run("refused", func(t *testing.T) {
		home := t.TempDir()
		writeFile(t, filepath.Join(home, "notes.md"), "mine")
		writeFile(t, filepath.Join(home, "a.yaml"), "1")
		_, err := Write(home, in)
		if err == nil || !strings.Contains(err.Error(), "notes.md") || !strings.Contains(err.Error(), "--adopt") {
			t.Fatalf("err = %v, want a refusal naming notes.md and --adopt", err)
		}
		if d := cmp.Diff(disk{"notes.md": "mine", "a.yaml": "1"}, snapshot(t, home)); d != "" {
			t.Errorf("refused directory changed (-want +got):\n%s", d)
		}
	})
	t.Run("root of the file system", func(t *testing.T) {
		// Refused from its first few names: / is never walked (it used
		// to fail on /proc).
		_, err := Check("/", in)
		if err == nil || !strings.Contains(err.Error(), "--adopt") {
			t.Fatalf("Check(/) err = %v, want a refusal", err)
		}
	})
	t.Run("adopt", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "notes.md"), "mine")
		writeFile(t, filepath.Join(dir, "a.yaml"), "1") // the rendered bytes: adopted
		cs, err := WriteTarget(Target{Root: dir, Files: in}, Options{Adopt: true})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]Change{{"a.yaml", Unchanged}, {"b.yaml", Created}}, cs); d != "" {
			t.Errorf("changes (-want +got):\n%s", d)
		}
		// Later writes need no --adopt; notes.md is never touched, and
		// the adopted file is milvusgen's now.
		mustWrite(t, dir, files("b.yaml", "2"))
		if d := cmp.Diff(disk{"notes.md": "mine", "b.yaml": "2"}, withoutManifest(snapshot(t, dir))); d != "" {
			t.Errorf("tree (-want +got):\n%s", d)
		}
	})
	t.Run("adopt refuses a file with other content", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "b.yaml"), "mine")
		_, err := WriteTarget(Target{Root: dir, Files: in}, Options{Adopt: true})
		if err == nil || !strings.Contains(err.Error(), "b.yaml") {
			t.Fatalf("err = %v, want a refusal naming b.yaml", err)
		}
		if d := cmp.Diff(disk{"b.yaml": "mine"}, snapshot(t, dir)); d != "" {
			t.Errorf("refused directory changed (-want +got):\n%s", d)
		}
	})
	t.Run("not a directory", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "f")
		writeFile(t, f, "x")
		if _, err := Write(f, in); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestForeignFilesUntouched: files milvusgen does not own, even inside
// its directories, are never touched, and keep its directories alive.
func TestForeignFilesUntouched(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, root, files("a/b.yaml", "1", "c.yaml", "2"))
	writeFile(t, filepath.Join(root, "a", "mine.md"), "mine")
	mustWrite(t, root, files("c.yaml", "2"))
	if d := cmp.Diff(disk{"a/": "", "a/mine.md": "mine", "c.yaml": "2"}, withoutManifest(snapshot(t, root))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	// A directory milvusgen did not create stays, even when empty.
	if err := os.Mkdir(filepath.Join(root, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, root, files("c.yaml", "2", "keep/x.yaml", "3"))
	mustWrite(t, root, files("c.yaml", "2"))
	if _, err := os.Stat(filepath.Join(root, "keep")); err != nil {
		t.Errorf("the user's directory was removed: %v", err)
	}
}

// TestSymlinksRefused: milvusgen writes only into real directories and
// never through, or over, a symlink.
func TestSymlinksRefused(t *testing.T) {
	root := t.TempDir()
	elsewhere := t.TempDir()
	mustWrite(t, root, files("c.yaml", "1"))
	if err := os.Symlink(elsewhere, filepath.Join(root, "aws")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("c.yaml", filepath.Join(root, "d.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]manifest.File{files("c.yaml", "1", "aws/x.yaml", "2"), files("c.yaml", "1", "d.yaml", "2")} {
		if _, err := Write(root, in); err == nil {
			t.Errorf("Write(%s) through a symlink succeeded", in[1].Path)
		}
	}
	if es, _ := os.ReadDir(elsewhere); len(es) != 0 {
		t.Errorf("files written through the symlink: %v", es)
	}
}

// TestHostileManifest: the manifest says what may be deleted; one naming a
// path outside the tree is refused before anything happens.
func TestHostileManifest(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	victim := filepath.Join(parent, "victim")
	writeFile(t, victim, "keep me")
	mustWrite(t, root, files("a.yaml", "1"))
	m := `{"generator":"milvusgen","files":[{"path":"../victim","sha256":""},{"path":"a.yaml","sha256":""}]}`
	writeFile(t, filepath.Join(root, ManifestName), m)
	if _, err := Write(root, files("b.yaml", "2")); err == nil || !strings.Contains(err.Error(), "../victim") {
		t.Fatalf("err = %v, want a refusal naming ../victim", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Error("a file outside the tree was removed")
	}
}

// TestGlobCharacters: names are literal. `out[1]` or `a*` used to match
// unrelated siblings or miss their own.
func TestGlobCharacters(t *testing.T) {
	for _, name := range []string{"out[1]", "a*", "?x", "{a,b}", `back\slash`} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, name)
			// Siblings a pattern made of the name would match.
			for _, s := range []string{"out1", "ab", "ax", "a", "b", "backslash"} {
				writeFile(t, filepath.Join(parent, s, "x"), "sibling")
				writeFile(t, filepath.Join(parent, "."+s+".old-1", "x"), "sibling")
			}
			before := snapshot(t, parent)
			in := files("d[1]/a*.yaml", "1", "?.yaml", "2")
			mustWrite(t, root, in)
			next := files("d[1]/a*.yaml", "one", "{x}.yaml", "3")
			mustWrite(t, root, next)
			got := snapshot(t, parent)
			for k, v := range before {
				if got[k] != v {
					t.Errorf("sibling %s changed", k)
				}
			}
			if d := cmp.Diff(want(next, nil), withoutManifest(snapshot(t, root))); d != "" {
				t.Errorf("tree (-want +got):\n%s", d)
			}
		})
	}
}

func TestManifestRecordsVersionAndOptions(t *testing.T) {
	root := t.TempDir()
	in := files("a.yaml", "1")
	opts := RenderOptions{Hydrate: true, ChartDir: "/charts", ChartLockDigest: "abc"}
	if _, err := WriteTarget(Target{Root: root, Files: in, Render: opts}, Options{Version: "v1.0.0"}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "v1.0.0" || m.Render != opts || len(m.Files) != 1 || m.Files[0].Path != "a.yaml" {
		t.Fatalf("manifest %+v", m)
	}
	if _, err := ReadManifest(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadManifest of an empty directory: %v, want ErrNotExist", err)
	}

	// Another release rendering the same bytes: not stale, nothing
	// rewritten, not even the manifest.
	before, _ := os.Stat(filepath.Join(root, ManifestName))
	cs, err := CheckTarget(Target{Root: root, Files: in, Render: opts}, Options{Version: "v2.0.0"})
	if err != nil || len(Changed(cs)) != 0 {
		t.Fatalf("check under a new version: %v, %v; want up to date", cs, err)
	}
	if _, err := WriteTarget(Target{Root: root, Files: in, Render: opts}, Options{Version: "v2.0.0"}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(root, ManifestName))
	if !os.SameFile(before, after) {
		t.Error("a version-only difference rewrote the manifest")
	}

	// New options are recorded although no rendered file changed.
	opts2 := RenderOptions{ChartDir: "/other"}
	cs, err = WriteTarget(Target{Root: root, Files: in, Render: opts2}, Options{Version: "v2.0.0"})
	if err != nil || len(Changed(cs)) != 0 {
		t.Fatalf("options-only write: %v, %v", cs, err)
	}
	if m, _ := ReadManifest(root); m.Render != opts2 || m.Version != "v2.0.0" {
		t.Errorf("manifest after an options change: %+v", m)
	}
	// A changed file records the release that wrote it.
	if _, err := WriteTarget(Target{Root: root, Files: files("a.yaml", "2"), Render: opts2}, Options{Version: "v3.0.0"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := ReadManifest(root); m.Version != "v3.0.0" {
		t.Errorf("version after a change: %q", m.Version)
	}
}

// TestLegacyManifest: trees written by the old writer (no dirs in the
// manifest) were created whole; their directories count as milvusgen's.
func TestLegacyManifest(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a", "b", "c.yaml"), "1")
	writeFile(t, filepath.Join(root, "d.yaml"), "2")
	writeFile(t, filepath.Join(root, ManifestName), `{"generator":"milvusgen","files":[{"path":"a/b/c.yaml","sha256":"x"},{"path":"d.yaml","sha256":"y"}]}`+"\n")
	cs := mustWrite(t, root, files("d.yaml", "2"))
	if d := cmp.Diff([]Change{{"a/b/c.yaml", Deleted}, {"d.yaml", Unchanged}}, cs); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(disk{"d.yaml": "2"}, withoutManifest(snapshot(t, root))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}

// TestWriteAllPrecheck: one refused tree stops every tree before anything
// is written, including the creation of missing roots.
func TestWriteAllPrecheck(t *testing.T) {
	parent := t.TempDir()
	a, b, c := filepath.Join(parent, "a"), filepath.Join(parent, "new", "b"), filepath.Join(parent, "c")
	mustWrite(t, a, files("x.yaml", "1"))
	writeFile(t, filepath.Join(c, "x.yaml"), "mine")
	before := snapshot(t, parent)
	_, err := WriteAll([]Target{
		{Root: a, Files: files("x.yaml", "2")},
		{Root: b, Files: files("x.yaml", "2")},
		{Root: c, Files: files("x.yaml", "2")},
	}, Options{Adopt: true})
	if err == nil || !strings.Contains(err.Error(), "x.yaml") {
		t.Fatalf("err = %v, want c's x.yaml refused", err)
	}
	if d := cmp.Diff(before, snapshot(t, parent)); d != "" {
		t.Errorf("a refused fleet changed the disk (-before +after):\n%s", d)
	}

	css, err := WriteAll([]Target{
		{Root: a, Files: files("x.yaml", "2")},
		{Root: b, Files: files("x.yaml", "2")},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]Change{{{"x.yaml", Updated}}, {{"x.yaml", Created}}}, css); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}

	for _, roots := range [][]string{{a, a}, {a, filepath.Join(a, "sub")}, {filepath.Join(a, "sub"), a}, {a, a + "/."}} {
		if _, err := WriteAll([]Target{{Root: roots[0], Files: files("y", "1")}, {Root: roots[1], Files: files("z", "1")}}, Options{}); err == nil {
			t.Errorf("WriteAll(%v) succeeded, want a refusal of nested or repeated roots", roots)
		}
	}
}

func TestScriptMode(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	mustWrite(t, root, []manifest.File{{Path: "run.sh", Data: []byte("#!/bin/sh\n"), Mode: 0o755}})
	st, err := os.Stat(filepath.Join(root, "run.sh"))
	if err != nil || st.Mode().Perm()&0o111 == 0 {
		t.Fatalf("mode = %v, %v; want executable", st.Mode(), err)
	}
	// Losing the executable bit is a change.
	if err := os.Chmod(filepath.Join(root, "run.sh"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs, _ := Check(root, []manifest.File{{Path: "run.sh", Data: []byte("#!/bin/sh\n"), Mode: 0o755}})
	if d := cmp.Diff([]Change{{"run.sh", Updated}}, cs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestReadTree(t *testing.T) {
	repo := gitInit(t)
	writeFile(t, filepath.Join(repo, "README.md"), "mine")
	in := files("a.yaml", "1", "d/run.sh", "#!/bin/sh\n")
	mustWrite(t, repo, in)
	got, err := ReadTree(repo)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want(in, nil), want(got, nil)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got[1].Mode&0o100 == 0 {
		t.Errorf("run.sh mode %v", got[1].Mode)
	}
	if _, err := ReadTree(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadTree without a manifest: %v", err)
	}
}

// TestHostileJournal: a journal naming anything a write would not make is
// refused, by writes and checks alike, and nothing is moved or removed.
func TestHostileJournal(t *testing.T) {
	for _, j := range []string{
		`{"state":"committing","renames":[{"temp":".milvusgen-tmp-1","path":"../victim"}]}`,
		`{"state":"committing","renames":[{"temp":".milvusgen-tmp-1","path":".git/config"}]}`,
		`{"state":"committing","renames":[{"temp":"a.yaml","path":"b.yaml"}]}`,
		`{"state":"committing","renames":[],"removals":["../victim"]}`,
		`{"state":"staging","renames":[],"mkdirs":["/abs"]}`,
		`{"state":"bogus","renames":[]}`,
		`not json`,
	} {
		root := t.TempDir()
		mustWrite(t, root, files("a.yaml", "1"))
		writeFile(t, filepath.Join(root, ".milvusgen-tmp-1"), "planted")
		writeFile(t, filepath.Join(root, JournalName), j)
		before := snapshot(t, root)
		if _, err := Write(root, files("a.yaml", "2")); err == nil || !strings.Contains(err.Error(), "journal") {
			t.Errorf("journal %s: Write err = %v, want a refusal", j, err)
		}
		if _, err := Check(root, files("a.yaml", "2")); err == nil {
			t.Errorf("journal %s: Check succeeded", j)
		}
		if d := cmp.Diff(before, snapshot(t, root)); d != "" {
			t.Errorf("journal %s changed the tree (-before +after):\n%s", j, d)
		}
	}
}
