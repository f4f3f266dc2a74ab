package writer

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

func benchTree(n int, version string) []manifest.File {
	var fs []manifest.File
	for i := range n {
		fs = append(fs, manifest.File{Path: fmt.Sprintf("d%d/f%d.yaml", i%4, i), Data: []byte(version + " " + fmt.Sprint(i)), Mode: 0o644})
	}
	return fs
}

// BenchmarkWriteUnchanged is the common case: a render that changes nothing.
func BenchmarkWriteUnchanged(b *testing.B) {
	root := filepath.Join(b.TempDir(), "out")
	in := benchTree(20, "a")
	if _, err := Write(root, in); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Write(root, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteChanged replaces every file: staging, fsyncs, journal and
// renames.
func BenchmarkWriteChanged(b *testing.B) {
	root := filepath.Join(b.TempDir(), "out")
	trees := [][]manifest.File{benchTree(20, "a"), benchTree(20, "b")}
	i := 0
	for b.Loop() {
		if _, err := Write(root, trees[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
