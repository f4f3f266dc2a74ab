package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckVersion(t *testing.T) {
	for _, v := range []string{"v0.4.0", "v1.2.3", "v10.0.1", "v0.5.0-rc.1", "v1.0.0-alpha-2", Dev} {
		if err := CheckVersion(v); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	for v, want := range map[string]string{
		"v0.3.0-2-gabc1234":         "not a release",
		"v0.3.0-dirty":              "not a release",
		"v0.3.0-14-g0123abcd-dirty": "not a release",
		"0.4.0":                     "want vMAJOR.MINOR.PATCH",
		"v0.4":                      "want vMAJOR.MINOR.PATCH",
		"v0.4.0+meta":               "want vMAJOR.MINOR.PATCH",
		"":                          "want vMAJOR.MINOR.PATCH",
		"abc1234":                   "want vMAJOR.MINOR.PATCH",
	} {
		if err := CheckVersion(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", v, err, want)
		}
	}
}

type entry struct {
	name string
	mode int64
	data string
	hdr  tar.Header
}

func readArchive(t *testing.T, data []byte) []entry {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header records name %q, time %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var out []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{h.Name, h.Mode, string(b), *h})
	}
}

func TestWriteArchive(t *testing.T) {
	files := []File{{Name: "README.md", Data: []byte("readme"), Mode: 0o644}, {Name: "milvusgen", Data: []byte("binary"), Mode: 0o755}}
	when := time.Unix(1_700_000_000, 0)
	var a, b bytes.Buffer
	if err := WriteArchive(&a, "milvusgen-v1.2.3-linux-amd64", files, when); err != nil {
		t.Fatal(err)
	}
	// The same files in another order, another time zone: the same bytes.
	slices.Reverse(files)
	if err := WriteArchive(&b, "milvusgen-v1.2.3-linux-amd64", files, when.In(time.FixedZone("X", 3600))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same files give different archives")
	}
	got := readArchive(t, a.Bytes())
	want := []struct {
		name string
		mode int64
		data string
	}{
		{"milvusgen-v1.2.3-linux-amd64/", 0o755, ""},
		{"milvusgen-v1.2.3-linux-amd64/README.md", 0o644, "readme"},
		{"milvusgen-v1.2.3-linux-amd64/milvusgen", 0o755, "binary"},
	}
	if len(got) != len(want) {
		t.Fatalf("archive holds %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.name != w.name || g.mode != w.mode || g.data != w.data {
			t.Errorf("entry %d: %s %o %q, want %s %o %q", i, g.name, g.mode, g.data, w.name, w.mode, w.data)
		}
		if !g.hdr.ModTime.Equal(when) || g.hdr.Uid != 0 || g.hdr.Gid != 0 || g.hdr.Uname != "root" {
			t.Errorf("%s: time %v, owner %d:%d %s", g.name, g.hdr.ModTime, g.hdr.Uid, g.hdr.Gid, g.hdr.Uname)
		}
	}
}

// stubGo is a go command that hands `go run` to the real one and, for
// `go build`, logs its arguments and environment and writes a small file
// where the binary goes: the release's shape without four full builds.
const stubGo = `#!/bin/sh
if [ "$1" = run ]; then exec "$REAL_GO" "$@"; fi
[ "$1" = build ] || { echo "stub go: unexpected $*" >&2; exit 1; }
echo "CGO_ENABLED=$CGO_ENABLED GOOS=$GOOS GOARCH=$GOARCH $*" >> "$GO_LOG"
out=
while [ $# -gt 0 ]; do
  if [ "$1" = -o ]; then out=$2; fi
  shift
done
mkdir -p "$(dirname "$out")"
printf 'milvusgen for %s/%s\n' "$GOOS" "$GOARCH" > "$out"
`

func goStub(t *testing.T) (gocmd, log string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell stub")
	}
	real, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	gocmd, log = filepath.Join(dir, "go"), filepath.Join(dir, "go.log")
	if err := os.WriteFile(gocmd, []byte(stubGo), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REAL_GO", real)
	t.Setenv("GO_LOG", log)
	return gocmd, log
}

// TestMakeRelease runs the Makefile's release target with a stub go
// command: the builds it asks for, the archive names, their contents and
// SHA256SUMS, checked by sha256sum(1) and tar(1) when present.
func TestMakeRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make and go run")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	gocmd, log := goStub(t)
	module, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(t.TempDir(), "dist")
	// A file of another kind in dist stays; an earlier archive goes.
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"notes.txt", "milvusgen-v0.0.1-linux-amd64.tar.gz"} {
		if err := os.WriteFile(filepath.Join(dist, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("make", "-s", "-C", module, "release", "GO="+gocmd, "VERSION=v1.2.3", "DIST="+dist, "SOURCE_DATE_EPOCH=1700000000")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}

	builds, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(builds)), "\n")
	if len(lines) != len(Platforms) {
		t.Fatalf("%d builds, want %d:\n%s", len(lines), len(Platforms), builds)
	}
	for i, p := range Platforms {
		l := lines[i]
		for _, want := range []string{"CGO_ENABLED=0 GOOS=" + p.OS + " GOARCH=" + p.Arch + " build ", " -trimpath ", " -buildvcs=auto ", "-X " + VersionVar + "=v1.2.3", " ./cmd/milvusgen"} {
			if !strings.Contains(l, want) {
				t.Errorf("build %d lacks %q: %s", i, want, l)
			}
		}
	}

	var names []string
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{SumsName, "milvusgen-v1.2.3-darwin-amd64.tar.gz", "milvusgen-v1.2.3-darwin-arm64.tar.gz", "milvusgen-v1.2.3-linux-amd64.tar.gz", "milvusgen-v1.2.3-linux-arm64.tar.gz", "notes.txt"}
	if !slices.Equal(names, want) {
		t.Fatalf("dist holds %v, want %v", names, want)
	}
	sums, err := os.ReadFile(filepath.Join(dist, SumsName))
	if err != nil {
		t.Fatal(err)
	}
	var sumLines []string
	for _, p := range Platforms {
		name := ArchiveName("v1.2.3", p)
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		sumLines = append(sumLines, hex.EncodeToString(s[:])+"  "+name)
		got := readArchive(t, data)
		files := map[string]string{}
		for _, e := range got {
			files[e.name] = e.data
		}
		dir := Name("v1.2.3", p) + "/"
		if files[dir+"milvusgen"] != "milvusgen for "+p.String()+"\n" {
			t.Errorf("%s: binary %q", name, files[dir+"milvusgen"])
		}
		if _, ok := files[dir+"README.md"]; !ok {
			t.Errorf("%s lacks README.md: %v", name, got)
		}
		if !got[0].hdr.ModTime.Equal(time.Unix(1_700_000_000, 0)) {
			t.Errorf("%s: entries dated %v, not SOURCE_DATE_EPOCH", name, got[0].hdr.ModTime)
		}
	}
	if string(sums) != strings.Join(sumLines, "\n")+"\n" {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", sums, strings.Join(sumLines, "\n"))
	}
	if !strings.Contains(string(out), string(sums)) {
		t.Errorf("make release does not print the sums:\n%s", out)
	}
	if sha, err := exec.LookPath("sha256sum"); err == nil {
		c := exec.Command(sha, "-c", SumsName)
		c.Dir = dist
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
	if tarCmd, err := exec.LookPath("tar"); err == nil {
		x := t.TempDir()
		if out, err := exec.Command(tarCmd, "-xzf", filepath.Join(dist, "milvusgen-v1.2.3-linux-arm64.tar.gz"), "-C", x).CombinedOutput(); err != nil {
			t.Errorf("tar -xzf: %v\n%s", err, out)
		} else if fi, err := os.Stat(filepath.Join(x, "milvusgen-v1.2.3-linux-arm64", "milvusgen")); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("extracted binary: %v %v", fi, err)
		}
	}

	// A commit after a tag is not a release.
	cmd = exec.Command("make", "-s", "-C", module, "release", "GO="+gocmd, "VERSION=v1.2.3-4-gabcdef0", "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not a release") {
		t.Errorf("make release VERSION=v1.2.3-4-gabcdef0: %v\n%s", err, out)
	}
}
