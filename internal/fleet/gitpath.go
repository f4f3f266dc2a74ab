package fleet

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// GitPathField is the spec field the rendered tree's Git path comes from.
const GitPathField = "gitops.repository.path"

// WorkTreePath is dir's place in the Git work tree that holds it: the
// slash-separated path from the work tree's root ("." for the root
// itself), and the root. ok is false when no enclosing directory has a
// .git (a directory, or the file a linked worktree or submodule has). dir
// need not exist yet.
func WorkTreePath(dir string) (rel, root string, ok bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", false, err
	}
	// Resolve symlinks in the part that exists, so a symlinked checkout
	// gives the same answer as the real path.
	abs = writer.ResolveExisting(abs)
	for p := abs; ; {
		if _, err := os.Lstat(filepath.Join(p, ".git")); err == nil {
			r, err := filepath.Rel(p, abs)
			if err != nil {
				return "", "", false, err
			}
			return filepath.ToSlash(r), p, true, nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", "", false, nil
		}
		p = parent
	}
}

// CleanGitPath is a repository path as the tree compares it: no leading
// "./" or "/", no trailing "/", "." for the root.
func CleanGitPath(p string) string {
	p = path.Clean("/" + strings.TrimSpace(p))
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}

// ResolveGitPath makes the spec's Git path agree with where its tree is
// rendered. When output lies in a Git work tree, the tree's path in the
// repository is its place in that work tree: a spec that leaves
// gitops.repository.path unset gets it, and a spec that sets another path
// is refused with both, since Flux would sync a path that is not the tree.
// Outside a work tree the spec's path (or its default) stands.
func ResolveGitPath(res *spec.Result, output string) error {
	rel, root, ok, err := WorkTreePath(output)
	if err != nil || !ok {
		return err
	}
	if msg := spec.GitPathProblem(rel); msg != "" {
		return fmt.Errorf("%s lies at %q in the Git work tree %s, which cannot be Flux's path (%s); render into a directory whose path in the repository passes that rule", output, rel, root, msg)
	}
	pos, set := res.Pos(GitPathField)
	if !set {
		res.Spec.GitOps.Repository.Path = rel
		return nil
	}
	if got := CleanGitPath(res.Spec.GitOps.Repository.Path); got != rel {
		return errors.Newf(pos, "%s is %q, but %s is %q in the Git work tree %s, so Flux would sync a path that does not hold the tree; remove %s to derive it from the output directory, or render into %s",
			GitPathField, res.Spec.GitOps.Repository.Path, output, rel, root, GitPathField,
			filepath.Join(root, filepath.FromSlash(got)))
	}
	return nil
}

// AgreeGitPath is ResolveGitPath for a tree whose repository path is known
// (apply --repo --path, or -o inside the repository): a spec that leaves
// gitops.repository.path unset gets repoPath, one that sets another path
// is refused with both.
func AgreeGitPath(res *spec.Result, repoPath string) error {
	want := CleanGitPath(repoPath)
	if msg := spec.GitPathProblem(repoPath); msg != "" {
		return fmt.Errorf("the tree's repository path %q cannot be Flux's path: %s", repoPath, msg)
	}
	pos, set := res.Pos(GitPathField)
	if !set {
		res.Spec.GitOps.Repository.Path = want
		return nil
	}
	if got := CleanGitPath(res.Spec.GitOps.Repository.Path); got != want {
		return errors.Newf(pos, "%s is %q, but the tree goes to %q in the repository, so Flux would sync a path that does not hold it; remove %s to derive it, or commit the tree to %q",
			GitPathField, res.Spec.GitOps.Repository.Path, want, GitPathField, got)
	}
	return nil
}

// CheckTreePath is the same rule for an already rendered tree (validate
// --rendered) or a tree about to be committed (apply --repo --path): the
// path the tree was rendered for (treePath) must be where it lies
// (wantPath). It returns a message saying both, or "".
func CheckTreePath(treePath, wantPath string) string {
	if t, w := CleanGitPath(treePath), CleanGitPath(wantPath); t != w {
		return fmt.Sprintf("the tree was rendered for the repository path %q but lies at %q; Flux would sync a path that does not hold it; render it again into this directory (gitops.repository.path unset, or %q)", t, w, w)
	}
	return ""
}
