package writer

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// files builds a tree from path, content pairs; a path ending in ".sh" is
// executable.
func files(kv ...string) []manifest.File {
	var fs []manifest.File
	for i := 0; i < len(kv); i += 2 {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(kv[i], ".sh") {
			mode = 0o755
		}
		fs = append(fs, manifest.File{Path: kv[i], Data: []byte(kv[i+1]), Mode: mode})
	}
	return fs
}

// disk is everything under a directory: files by content, and
// directories (as "dir/").
type disk map[string]string

func snapshot(t *testing.T, root string) disk {
	t.Helper()
	got := disk{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
		case rel == ".git":
			got[".git/"] = ""
			return filepath.SkipDir
		case d.IsDir():
			got[rel+"/"] = ""
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got[rel] = "-> " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// want is the disk a tree of files should give, plus extra entries
// (foreign files), without the manifest.
func want(fs []manifest.File, extra disk) disk {
	d := disk{}
	for _, f := range fs {
		d[f.Path] = string(f.Data)
		for _, a := range ancestors(f.Path) {
			d[a+"/"] = ""
		}
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

func withoutManifest(d disk) disk {
	out := disk{}
	for k, v := range d {
		if k != ManifestName {
			out[k] = v
		}
	}
	return out
}

func names(d disk) []string {
	var out []string
	for k := range d {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mustWrite(t *testing.T, root string, fs []manifest.File) []Change {
	t.Helper()
	cs, err := Write(root, fs)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func writeFile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// warnings collects Warnf and Logf messages.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) f(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, fmt.Sprintf(format, args...))
}

func (w *warnings) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.msgs, "\n")
}
