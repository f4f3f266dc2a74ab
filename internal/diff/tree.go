package diff

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// ErrNoTree reports that the old tree does not exist (a directory that is
// not there, a path absent at the Git revision): everything is new.
var ErrNoTree = errors.New("no tree there")

// ReadDir reads every regular file under dir as a tree, paths relative to
// dir with '/' separators, through the bounded reader: a file past
// input.TreeFile or a tree past input.Tree is refused.
func ReadDir(dir string) ([]manifest.File, error) {
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoTree)
	} else if err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	var files []manifest.File
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := input.ReadFile(p, input.TreeFile)
		if err != nil {
			return err
		}
		if total += int64(len(data)); total > input.Tree {
			return fmt.Errorf("the tree holds more than %s, the most milvusgen reads of one tree", input.Size(input.Tree))
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, manifest.File{Path: filepath.ToSlash(rel), Data: data, Mode: info.Mode().Perm()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s read failed: %w", dir, err)
	}
	manifest.Sort(files)
	return files, nil
}

// Repo is a Git repository read with go-git; no git binary is needed.
type Repo struct {
	// Root is the work tree's top directory.
	Root string
	repo *git.Repository
}

// OpenRepo opens the repository containing dir (dir or one of its
// parents holds .git; linked work trees are followed).
func OpenRepo(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("git repository at %s open failed: %w", dir, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil, fmt.Errorf("git repository at %s: %w", dir, err)
	}
	return &Repo{Root: wt.Filesystem.Root(), repo: r}, nil
}

// Rel turns a directory on disk into a slash-separated path inside the
// work tree, as ReadTree wants it.
func (r *Repo) Rel(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	root, abs := evalSymlinks(r.Root), evalSymlinks(abs)
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the repository %s", dir, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// evalSymlinks resolves p as far as it exists, so that paths through a
// symlinked temp dir compare equal.
func evalSymlinks(p string) string {
	if q, err := filepath.EvalSymlinks(p); err == nil {
		return q
	}
	dir, base := filepath.Split(p)
	if dir == "" || dir == p {
		return p
	}
	return filepath.Join(evalSymlinks(filepath.Clean(dir)), base)
}

// ReadTree reads the files under dir (slash-separated, relative to the
// work tree's root; "" or "." for all) at a revision: a branch, tag,
// remote branch (origin/main), commit hash or HEAD~1-style expression.
// A dir absent at the revision is ErrNoTree.
func (r *Repo) ReadTree(rev, dir string) ([]manifest.File, error) {
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("git revision %q: %w (fetch it first in a shallow clone)", rev, err)
	}
	commit, err := r.repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("git revision %q: %w", rev, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("git revision %q: %w", rev, err)
	}
	dir = strings.Trim(path.Clean("/"+dir), "/")
	if dir != "" {
		tree, err = tree.Tree(dir)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return nil, fmt.Errorf("%s at %s: %w", dir, rev, ErrNoTree)
		}
		if err != nil {
			return nil, fmt.Errorf("%s at %s: %w", dir, rev, err)
		}
	}
	var files []manifest.File
	err = tree.Files().ForEach(func(f *object.File) error {
		var mode fs.FileMode
		switch f.Mode {
		case filemode.Regular, filemode.Deprecated:
			mode = 0o644
		case filemode.Executable:
			mode = 0o755
		default:
			return nil // symlinks, submodules
		}
		s, err := f.Contents()
		if err != nil {
			return fmt.Errorf("%s at %s: %w", path.Join(dir, f.Name), rev, err)
		}
		files = append(files, manifest.File{Path: f.Name, Data: []byte(s), Mode: mode})
		return nil
	})
	if err != nil {
		return nil, err
	}
	manifest.Sort(files)
	return files, nil
}
