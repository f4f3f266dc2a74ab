package writer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/milvusgen/milvusgen/render/manifest"
)

// ManifestName is the file, at the root of every rendered tree, listing the
// files milvusgen wrote there.
const ManifestName = ".milvusgen-manifest.json"

// Action says what a write does to one file.
type Action string

// Actions of a Change.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Deleted   Action = "deleted"
	Unchanged Action = "unchanged"
)

// Change is one file's fate in a write.
type Change struct {
	Path   string
	Action Action
}

// Changed returns the changes other than Unchanged.
func Changed(cs []Change) []Change {
	var out []Change
	for _, c := range cs {
		if c.Action != Unchanged {
			out = append(out, c)
		}
	}
	return out
}

type manifestFile struct {
	Generator string         `json:"generator"`
	Files     []manifestItem `json:"files"`
}

type manifestItem struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Check compares files with the tree under root and reports every
// difference, without writing. The manifest is part of the comparison.
func Check(root string, files []manifest.File) ([]Change, error) {
	full, err := withManifest(files)
	if err != nil {
		return nil, err
	}
	_, changes, err := plan(root, full)
	return changes, err
}

// Write makes the tree under root hold exactly files (plus the manifest),
// atomically. It refuses to touch a directory holding files milvusgen did
// not write. Nothing is written when nothing changed.
func Write(root string, files []manifest.File) ([]Change, error) {
	full, err := withManifest(files)
	if err != nil {
		return nil, err
	}
	exists, changes, err := plan(root, full)
	if err != nil {
		return nil, err
	}
	if len(Changed(changes)) == 0 {
		return changes, nil
	}
	if err := swap(root, exists, full); err != nil {
		return nil, err
	}
	return changes, nil
}

func withManifest(files []manifest.File) ([]manifest.File, error) {
	seen := map[string]bool{}
	m := manifestFile{Generator: "milvusgen"}
	out := make([]manifest.File, 0, len(files)+1)
	for _, f := range files {
		if err := validPath(f.Path); err != nil {
			return nil, err
		}
		if f.Path == ManifestName {
			return nil, fmt.Errorf("%s: reserved for the manifest", f.Path)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("%s: rendered twice", f.Path)
		}
		seen[f.Path] = true
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, manifestItem{Path: f.Path, SHA256: hex.EncodeToString(sum[:])})
		out = append(out, f)
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	out = append(out, manifest.File{Path: ManifestName, Data: append(data, '\n'), Mode: 0o644})
	manifest.Sort(out)
	return out, nil
}

// validPath rejects paths that could escape the output root.
func validPath(p string) error {
	if p == "" || path.IsAbs(p) || strings.Contains(p, `\`) || path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return fmt.Errorf("%q: not a clean relative path inside the output directory", p)
	}
	return nil
}

// plan compares the wanted files with the disk. It fails when root holds
// files milvusgen does not own.
func plan(root string, files []manifest.File) (exists bool, changes []Change, err error) {
	fi, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A write killed between its two renames leaves the previous tree
		// beside root; say where rather than start a new tree over it.
		if olds, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Clean(root)), "."+filepath.Base(filepath.Clean(root))+".old-*")); len(olds) > 0 {
			return false, nil, fmt.Errorf("%s is missing but %s holds the tree an interrupted write moved aside; move it back to %s (or delete it) and render again", root, olds[0], root)
		}
		for _, f := range files {
			changes = append(changes, Change{f.Path, Created})
		}
		return false, changes, nil
	case err != nil:
		return false, nil, err
	case !fi.IsDir():
		return false, nil, fmt.Errorf("%s: exists and is not a directory", root)
	}

	owned := map[string]bool{}
	if data, err := os.ReadFile(filepath.Join(root, ManifestName)); err == nil {
		var m manifestFile
		if err := json.Unmarshal(data, &m); err != nil {
			return false, nil, fmt.Errorf("%s: unreadable manifest: %w", filepath.Join(root, ManifestName), err)
		}
		for _, it := range m.Files {
			owned[it.Path] = true
		}
		owned[ManifestName] = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, nil, err
	}

	onDisk := map[string]bool{}
	var foreign []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() || !owned[rel] {
			foreign = append(foreign, rel)
			return nil
		}
		onDisk[rel] = true
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		more := ""
		if len(foreign) > 3 {
			more = fmt.Sprintf(" and %d more", len(foreign)-3)
			foreign = foreign[:3]
		}
		return false, nil, fmt.Errorf("%s holds files milvusgen did not write (%s%s); render into an empty or milvusgen-owned directory, or move them away", root, strings.Join(foreign, ", "), more)
	}

	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
		if !onDisk[f.Path] {
			changes = append(changes, Change{f.Path, Created})
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(p)
		if err != nil {
			return false, nil, err
		}
		st, err := os.Stat(p)
		if err != nil {
			return false, nil, err
		}
		if bytes.Equal(old, f.Data) && st.Mode().Perm() == mode(f) {
			changes = append(changes, Change{f.Path, Unchanged})
		} else {
			changes = append(changes, Change{f.Path, Updated})
		}
	}
	for p := range onDisk {
		if !want[p] {
			changes = append(changes, Change{p, Deleted})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return true, changes, nil
}

func mode(f manifest.File) fs.FileMode {
	if f.Mode == 0 {
		return 0o644
	}
	return f.Mode.Perm()
}

// swap stages the tree beside root and renames it into place.
func swap(root string, exists bool, files []manifest.File) (err error) {
	parent := filepath.Dir(filepath.Clean(root))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	base := filepath.Base(filepath.Clean(root))
	stage, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	if err := os.Chmod(stage, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(stage, filepath.FromSlash(f.Path)), f.Data, mode(f)); err != nil {
			return err
		}
	}
	if !exists {
		return os.Rename(stage, root)
	}
	old, err := os.MkdirTemp(parent, "."+base+".old-")
	if err != nil {
		return err
	}
	if err := os.Remove(old); err != nil { // only the unique name is wanted
		return err
	}
	if err := os.Rename(root, old); err != nil {
		return err
	}
	if err := os.Rename(stage, root); err != nil {
		if rerr := os.Rename(old, root); rerr != nil {
			return fmt.Errorf("%w; the previous tree is at %s", err, old)
		}
		return err
	}
	return os.RemoveAll(old)
}

func writeFile(p string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(p, perm) // umask must not change the rendered mode
}
