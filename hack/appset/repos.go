package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

// localRepos answers the Git generator from local directories, one per
// repository URL, in place of the repo server (services.Repos). The
// revision is ignored: the directory is the revision under test.
type localRepos map[string]string

func (r localRepos) dir(repoURL string) (string, error) {
	d, ok := r[repoURL]
	if !ok {
		return "", fmt.Errorf("repository %s: no --repo %s=DIR given", repoURL, repoURL)
	}
	return filepath.EvalSymlinks(d)
}

// GetDirectories walks the tree as the repo server's GetGitDirectories
// does (reposerver/repository/repository.go): every directory below the
// root, relative to it, skipping hidden ones (the default,
// IncludeHiddenDirectories=false).
func (r localRepos) GetDirectories(_ context.Context, repoURL, _, _ string, _ bool, _ *v1alpha1.SourceIntegrity) ([]string, error) {
	root, err := r.dir(repoURL)
	if err != nil {
		return nil, err
	}
	var paths []string
	err = filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("error walking the file tree: %w", err)
		}
		if !entry.IsDir() {
			return nil
		}
		if strings.HasPrefix(entry.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." {
			return err
		}
		paths = append(paths, rel)
		return nil
	})
	return paths, err
}

// GetFiles matches pattern as the repo server's file listing does with
// new Git file globbing (util/git LsFiles: doublestar.FilepathGlob under the
// root, files outside it dropped). Without that option the repo server runs
// `git ls-files -- PATTERN` instead, whose pathspec globbing differs for
// patterns with `**`: write patterns both agree on.
func (r localRepos) GetFiles(_ context.Context, repoURL, _, _, pattern string, _ bool, _ *v1alpha1.SourceIntegrity) (map[string][]byte, error) {
	root, err := r.dir(repoURL)
	if err != nil {
		return nil, err
	}
	matches, err := doublestar.FilepathGlob(filepath.Join(root, pattern))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, m := range matches {
		real, err := filepath.EvalSymlinks(m)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(real, root) {
			continue
		}
		if st, err := os.Stat(real); err != nil || st.IsDir() {
			continue
		}
		rel, err := filepath.Rel(root, m)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(m)
		if err != nil {
			return nil, err
		}
		out[filepath.ToSlash(rel)] = data
	}
	return out, nil
}
