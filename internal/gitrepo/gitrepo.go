package gitrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// Options say where the tree goes.
type Options struct {
	// Repo is the root of the repository's work tree.
	Repo string
	// Path is the directory inside Repo that holds the tree, slash
	// separated, e.g. "clusters/milvus-eks-cluster". It must be a
	// subdirectory of the work tree once its symlinks are resolved.
	Path string
	// Push pushes the current branch to Remote after committing.
	Push bool
	// Remote to push to; "origin" when empty.
	Remote string
	// Author of the commit; when nil, user.name and user.email from the
	// Git configuration, else "milvusgen <milvusgen@localhost>".
	Author *object.Signature
	// DryRun reports what would change and writes nothing.
	DryRun bool
	// Write tunes the writer: adoption, the recorded release, lock wait
	// and messages.
	Write writer.Options
	// Render is recorded in the tree's manifest.
	Render writer.RenderOptions
	// Branch, when set, is created from the current HEAD and checked out
	// (as git checkout -b, the work tree untouched) before the tree is
	// written, so the commit and a push go to it. An existing branch is
	// used only when it is already the current one; a push is never
	// forced.
	Branch string
	// SpecFiles are the spec files rendered, as paths on disk. Those inside
	// the work tree that differ from HEAD are committed with the tree, so
	// the commit holds what produced it.
	SpecFiles []string
}

// Subject describes what was rendered, for the commit message.
type Subject struct {
	Cluster, Release string
	// SpecFiles are the spec file names as given on the command line.
	SpecFiles []string
	// SpecHash is SpecHash of the spec sources.
	SpecHash string
}

// Result says what Commit did.
type Result struct {
	// Path is where the tree went, relative to the work tree's root:
	// Options.Path with its symlinks resolved.
	Path string
	// Changes are the files under Path that changed (Created, Updated,
	// Deleted), relative to Path.
	Changes []writer.Change
	// Commit is the new commit's hash; empty when nothing changed.
	Commit string
	// Branch is the branch committed to (or pushed).
	Branch string
	// Pushed reports that the remote was updated; false when it was
	// already up to date or Push was not asked for.
	Pushed bool
	// Committed are the files the commit holds changes of, relative to
	// the work tree's root: the tree's (its manifest included) and the
	// changed spec files; empty when nothing was committed.
	Committed []string
	// Specs are the spec files among Committed.
	Specs []string
}

// SpecHash returns the SHA-256 of the spec sources, their names and
// contents, in order, as hex.
func SpecHash(srcs []spec.Source) string {
	h := sha256.New()
	for _, s := range srcs {
		fmt.Fprintf(h, "%s\x00%d\x00", s.Name, len(s.Data))
		h.Write(s.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Message is the commit message for subj and the changed files.
func Message(subj Subject, p string, changes []writer.Change) string {
	short := subj.SpecHash
	if len(short) > 12 {
		short = short[:12]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "milvusgen: render %s/%s (spec %s)\n\n", subj.Cluster, subj.Release, short)
	fmt.Fprintf(&b, "Rendered by milvusgen from %s into %s.\n", strings.Join(subj.SpecFiles, " + "), p)
	counts := map[writer.Action]int{}
	for _, c := range changes {
		counts[c.Action]++
	}
	var parts []string
	for _, a := range []writer.Action{writer.Created, writer.Updated, writer.Deleted} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, "Files: %s.\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "\nCluster: %s\nRelease: %s\nSpec-SHA256: %s\n", subj.Cluster, subj.Release, subj.SpecHash)
	return b.String()
}

// Commit writes files into opts.Path of the repository, stages that
// directory and commits it, then pushes when asked. It refuses to run when
// changes outside Path are already staged, since a commit takes the whole
// index. When the tree is unchanged there is no commit (a push still
// happens when asked, to publish an earlier commit).
func Commit(files []manifest.File, subj Subject, opts Options) (*Result, error) {
	p, err := cleanPath(opts.Path)
	if err != nil {
		return nil, err
	}
	repo, err := git.PlainOpen(opts.Repo)
	if err != nil {
		return nil, fmt.Errorf("opening Git repository %s failed: %w", opts.Repo, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Repo, err)
	}
	st, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("git status of %s failed: %w", opts.Repo, err)
	}
	specs := specPaths(wt.Filesystem.Root(), opts.SpecFiles)
	if outside := stagedOutside(st, p, specs); len(outside) > 0 {
		return nil, fmt.Errorf("%s has staged changes outside %s (%s); commit or unstage them first", opts.Repo, p, strings.Join(outside, ", "))
	}

	p, err = resolvePath(wt.Filesystem.Root(), p)
	if err != nil {
		return nil, err
	}
	if opts.Branch != "" {
		if err := switchBranch(repo, opts.Branch, opts.DryRun); err != nil {
			return nil, err
		}
	}
	root := filepath.Join(wt.Filesystem.Root(), filepath.FromSlash(p))
	res := &Result{Path: p}
	if head, err := repo.Head(); err == nil {
		res.Branch = head.Name().Short()
	} else if ref, err := repo.Storer.Reference(plumbing.HEAD); err == nil && ref.Type() == plumbing.SymbolicReference {
		res.Branch = ref.Target().Short() // a new repository: HEAD names an unborn branch
	}
	target := writer.Target{Root: root, Files: files, Render: opts.Render}
	var cs []writer.Change
	if opts.DryRun {
		cs, err = writer.CheckTarget(target, opts.Write)
	} else {
		cs, err = writer.WriteTarget(target, opts.Write)
	}
	if err != nil {
		return nil, err
	}
	res.Changes = writer.Changed(cs)
	if opts.Branch != "" {
		res.Branch = opts.Branch
	}
	if opts.DryRun {
		return res, nil
	}

	if err := stage(wt, p); err != nil {
		return nil, err
	}
	st, err = wt.Status()
	if err != nil {
		return nil, fmt.Errorf("git status of %s failed: %w", opts.Repo, err)
	}
	tree := stagedUnder(st, p)
	// The spec files that produced the tree go with it, when changed.
	for _, f := range specs {
		if fs, ok := st[f]; ok && (fs.Worktree != git.Unmodified || isStaged(fs)) {
			if _, err := wt.Add(f); err != nil {
				return nil, fmt.Errorf("git add %s failed: %w", f, err)
			}
			res.Specs = append(res.Specs, f)
		}
	}
	if len(tree) > 0 || len(res.Specs) > 0 {
		res.Committed = append(tree, res.Specs...)
		sort.Strings(res.Committed)
		h, err := wt.Commit(Message(subj, p, res.Changes), &git.CommitOptions{Author: signature(repo, opts.Author)})
		if err != nil {
			return nil, fmt.Errorf("git commit in %s failed: %w", opts.Repo, err)
		}
		res.Commit = h.String()
	}
	if opts.Push {
		if res.Pushed, err = push(repo, opts.Remote, opts.Repo); err != nil {
			return res, err
		}
	}
	return res, nil
}

func cleanPath(p string) (string, error) {
	p = strings.TrimSuffix(filepath.ToSlash(p), "/")
	if p == "" || p == "." || path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || p == ".git" || strings.HasPrefix(p, ".git/") {
		return "", fmt.Errorf("path %q: want a clean relative subdirectory of the repository, e.g. clusters/<cluster>", p)
	}
	// The path becomes Flux's sync path: the spec's rule for it applies.
	if msg := spec.GitPathProblem(p); msg != "" {
		return "", fmt.Errorf("path %q: %s", p, msg)
	}
	return p, nil
}

// resolvePath resolves the symlinks of p inside the work tree at top and
// refuses a path that ends up outside it (or in .git): `--path link/sub`
// with link pointing elsewhere must not write there.
func resolvePath(top, p string) (string, error) {
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return "", err
	}
	full := writer.ResolveExisting(filepath.Join(realTop, filepath.FromSlash(p)))
	rel, err := filepath.Rel(realTop, full)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("path %q leads to %s, outside the repository's work tree %s; give a directory inside it", p, full, realTop)
	}
	rel = filepath.ToSlash(rel)
	if rel == ".git" || strings.HasPrefix(rel, ".git/") {
		return "", fmt.Errorf("path %q leads into the repository's .git directory; give a directory of the work tree", p)
	}
	return rel, nil
}

func under(file, dir string) bool { return strings.HasPrefix(file, dir+"/") }

func isStaged(s *git.FileStatus) bool {
	return s.Staging != git.Unmodified && s.Staging != git.Untracked
}

func stagedOutside(st git.Status, p string, allowed []string) []string {
	var out []string
	for f, s := range st {
		if isStaged(s) && !under(f, p) && !slices.Contains(allowed, f) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func stagedUnder(st git.Status, p string) []string {
	var out []string
	for f, s := range st {
		if isStaged(s) && under(f, p) {
			out = append(out, f)
		}
	}
	return out
}

// stage adds every new, changed or deleted file under p to the index.
func stage(wt *git.Worktree, p string) error {
	st, err := wt.Status()
	if err != nil {
		return err
	}
	files := make([]string, 0, len(st))
	for f, s := range st {
		// The writer's journal and staged files exist only while a write
		// runs or after one was killed; they are never part of a commit.
		if under(f, p) && s.Worktree != git.Unmodified && !writer.Transient(strings.TrimPrefix(f, p+"/")) {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		if _, err := wt.Add(f); err != nil {
			return fmt.Errorf("git add %s failed: %w", f, err)
		}
	}
	return nil
}

func signature(repo *git.Repository, sig *object.Signature) *object.Signature {
	if sig != nil {
		s := *sig
		if s.When.IsZero() {
			s.When = time.Now()
		}
		return &s
	}
	s := &object.Signature{Name: "milvusgen", Email: "milvusgen@localhost", When: time.Now()}
	cfg, err := repo.ConfigScoped(config.GlobalScope)
	if err == nil {
		if cfg.User.Name != "" {
			s.Name = cfg.User.Name
		}
		if cfg.User.Email != "" {
			s.Email = cfg.User.Email
		}
	}
	return s
}

// push pushes the current branch to the branch of the same name on remote,
// with the HTTPS credentials httpCredential finds (ssh:// remotes use the
// SSH agent, go-git's default). dir is the work tree, where
// `git credential` reads the repository's configuration.
func push(repo *git.Repository, remote, dir string) (bool, error) {
	if remote == "" {
		remote = git.DefaultRemoteName
	}
	head, err := repo.Head()
	if err != nil {
		return false, fmt.Errorf("git push: no commit to push: %w", err)
	}
	if !head.Name().IsBranch() {
		return false, fmt.Errorf("git push: HEAD is detached; check out a branch")
	}
	spec := config.RefSpec(head.Name().String() + ":" + head.Name().String())
	cred, err := httpCredential(repo, remote, dir)
	if err != nil {
		return false, err
	}
	po := &git.PushOptions{RemoteName: remote, RefSpecs: []config.RefSpec{spec}}
	if cred != nil {
		po.Auth = cred.auth
	}
	err = repo.Push(po)
	cred.report(err)
	switch {
	case errors.Is(err, git.NoErrAlreadyUpToDate):
		return false, nil
	case err != nil:
		return false, pushError(remote, head.Name().Short(), cred, err)
	}
	return true, nil
}

// specPaths are the spec files inside the work tree at top, relative to
// it and slash separated; files outside it (or stdin) are left out.
func specPaths(top string, files []string) []string {
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range files {
		if f == "-" {
			continue
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(realTop, writer.ResolveExisting(abs))
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		rel = filepath.ToSlash(rel)
		if rel == ".git" || strings.HasPrefix(rel, ".git/") || slices.Contains(out, rel) {
			continue
		}
		out = append(out, rel)
	}
	return out
}

// switchBranch creates branch from the current HEAD and makes it current,
// as git checkout -b does: HEAD's commit, the index and the work tree stay
// as they are. An existing branch is accepted only when it is the current
// one; milvusgen never moves a branch someone else may have pushed.
func switchBranch(repo *git.Repository, branch string, dryRun bool) error {
	name := plumbing.NewBranchReferenceName(branch)
	if err := name.Validate(); err != nil || branch == "" || strings.HasPrefix(branch, "-") {
		return fmt.Errorf("--branch %q is not a valid branch name", branch)
	}
	head, err := repo.Head()
	if err != nil {
		return fmt.Errorf("--branch %s: the repository has no commit to start it from: %w", branch, err)
	}
	if head.Name() == name {
		return nil
	}
	if _, err := repo.Storer.Reference(name); err == nil {
		return fmt.Errorf("--branch %s: the branch exists and is not checked out; milvusgen creates the branch from the current HEAD and never moves an existing one: check it out first, or name a new branch", branch)
	}
	if dryRun {
		return nil
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(name, head.Hash())); err != nil {
		return fmt.Errorf("creating branch %s failed: %w", branch, err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, name)); err != nil {
		return fmt.Errorf("checking out branch %s failed: %w", branch, err)
	}
	return nil
}
