package writer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// The writer's own names at the root of a tree.
const (
	// ManifestName is the file, at the root of every rendered tree, listing
	// what milvusgen owns there.
	ManifestName = ".milvusgen-manifest.json"
	// JournalName holds the pending renames and removals of a write in
	// progress; it exists only while a write runs or after one was killed.
	JournalName = ".milvusgen-journal.json"

	journalTemp = JournalName + ".tmp"
	tempPrefix  = ".milvusgen-tmp-"
	generator   = "milvusgen"
)

// Transient reports whether rel, a slash-separated path inside a tree, is
// one of the writer's transient files: the journal, its temporary file or
// a staged file. They are never rendered files, and they must never be
// committed (see internal/gitrepo). The manifest is not transient.
func Transient(rel string) bool {
	if rel == JournalName || rel == journalTemp {
		return true
	}
	base := path.Base(rel)
	return len(base) > len(tempPrefix) && strings.HasPrefix(base, tempPrefix)
}

// Manifest is what .milvusgen-manifest.json records.
type Manifest struct {
	Generator string `json:"generator"`
	// Version is the milvusgen release that last changed the tree's files
	// (a release that renders the same bytes does not rewrite it).
	Version string `json:"version,omitempty"`
	// Render holds the options the tree was rendered with.
	Render RenderOptions `json:"render,omitzero"`
	// Dirs are the directories milvusgen created, removed again when they
	// hold none of its files. Trees written before this field existed
	// were created whole, so there every directory of an owned file counts.
	Dirs []string `json:"dirs"`
	// Files are the files milvusgen owns, with their SHA-256.
	Files []ManifestEntry `json:"files"`
}

// ManifestEntry is one owned file.
type ManifestEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// RenderOptions are the options of the render that produced a tree, kept
// so later renders and checks can reuse them. The writer records them and
// never reads them back itself: staleness is decided by the files' bytes.
type RenderOptions struct {
	// Hydrate: the tree holds the charts' rendered manifests.
	Hydrate bool `json:"hydrate,omitempty"`
	// KeepChartLabels: hydrated manifests keep the helm.sh/chart labels.
	KeepChartLabels bool `json:"keepChartLabels,omitempty"`
	// ChartDir is the chart cache the charts came from, as given.
	ChartDir string `json:"chartDir,omitempty"`
	// ChartLockDigest is the SHA-256 of the chart lock used.
	ChartLockDigest string `json:"chartLockDigest,omitempty"`
}

// ReadManifest reads the manifest of the tree at root. The error wraps
// fs.ErrNotExist when root holds no manifest.
func ReadManifest(root string) (Manifest, error) {
	data, err := input.ReadFile(filepath.Join(root, ManifestName), input.TreeFile)
	if err != nil {
		return Manifest{}, err
	}
	return parseManifest(filepath.Join(root, ManifestName), data)
}

func parseManifest(name string, data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: unreadable manifest: %w", name, err)
	}
	// The manifest says what may be deleted: a path escaping the tree
	// must never get that far.
	for _, e := range m.Files {
		if err := validPath(e.Path); err != nil || reserved(e.Path) {
			return Manifest{}, fmt.Errorf("%s: lists %q, which is not a file of the tree; restore the manifest or move the directory away", name, e.Path)
		}
	}
	for _, d := range m.Dirs {
		if err := validPath(d); err != nil || reserved(d) {
			return Manifest{}, fmt.Errorf("%s: lists directory %q, which is not inside the tree; restore the manifest or move the directory away", name, d)
		}
	}
	return m, nil
}

// owned returns the files and directories m claims. A nil m claims nothing.
func (m *Manifest) owned() (files, dirs map[string]bool) {
	files, dirs = map[string]bool{}, map[string]bool{}
	if m == nil {
		return files, dirs
	}
	for _, e := range m.Files {
		files[e.Path] = true
	}
	if m.Dirs != nil {
		for _, d := range m.Dirs {
			dirs[d] = true
		}
		return files, dirs
	}
	for _, e := range m.Files {
		for _, a := range ancestors(e.Path) {
			dirs[a] = true
		}
	}
	return files, dirs
}

// sameRecord reports whether a and b record the same tree and options,
// ignoring the version: a new release rendering the same bytes does not
// make the tree, or its manifest, stale.
func sameRecord(a, b *Manifest) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Render == b.Render && slices.Equal(a.Dirs, b.Dirs) && slices.Equal(a.Files, b.Files)
}

func (m *Manifest) encode() []byte {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err) // strings and bools only
	}
	return append(data, '\n')
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// validPath rejects paths that could escape the tree.
func validPath(p string) error {
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../") || strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("%q: not a clean relative path inside the output directory", p)
	}
	return nil
}

// reserved reports paths no rendered file may take: the writer's own
// files and anything under .git.
func reserved(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return p == ManifestName || Transient(p) || first == ".git"
}

// ancestors lists the directories above p, outermost first.
func ancestors(p string) []string {
	var out []string
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// ReadTree reads the files the manifest of the tree at root lists, as
// they are on disk (a listed file that is missing is left out). A tree may
// share its directory with other files (a Git work tree's root), so this,
// not a walk of root, is the tree milvusgen wrote. The error wraps
// fs.ErrNotExist when root holds no manifest.
func ReadTree(root string) ([]manifest.File, error) {
	m, err := ReadManifest(root)
	if err != nil {
		return nil, err
	}
	d, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var out []manifest.File
	for _, e := range m.Files {
		fi, err := d.Lstat(e.Path)
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		data, err := input.ReadRoot(d, e.Path, input.TreeFile)
		if err != nil {
			return nil, err
		}
		out = append(out, manifest.File{Path: e.Path, Data: data, Mode: fi.Mode().Perm()})
	}
	return out, nil
}
