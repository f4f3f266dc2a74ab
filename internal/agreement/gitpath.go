package agreement

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/milvusgen/milvusgen/internal/input"
	"sigs.k8s.io/yaml"
)

// fluxSyncFile holds the Flux Kustomizations that name the tree's
// repository paths.
const fluxSyncFile = "flux/kustomizations.yaml"

// GitPath checks that the tree in fsys was rendered for the repository
// path it lies at (want, slash-separated, "." for the root): bootstrap.sh's
// GIT_PATH and every Flux Kustomization's spec.path must point into it,
// or Flux syncs a path that does not hold the tree. A tree without Flux
// sync objects has nothing to check.
func GitPath(fsys fs.FS, want string) []Problem {
	want = cleanRepoPath(want)
	var out []Problem
	if data, err := input.ReadFS(fsys, bootstrapFile, input.TreeFile); err == nil {
		if vars, err := ScriptAssignments(bytes.NewReader(data), bootstrapFile); err == nil {
			for _, v := range vars["GIT_PATH"] {
				if cleanRepoPath(v) != want {
					out = append(out, gitPathProblem(Location{File: bootstrapFile, Field: "GIT_PATH"}, v, want))
				}
			}
		}
	}
	data, err := input.ReadFS(fsys, fluxSyncFile, input.TreeFile)
	if err != nil {
		return out
	}
	docs, err := splitYAML(data)
	if err != nil {
		return append(out, Problem{What: "Git path", At: Location{File: fluxSyncFile}, Msg: fmt.Sprintf("cannot be read: %v", err)})
	}
	for _, doc := range docs {
		var k struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Spec struct {
				Path string `json:"path"`
			} `json:"spec"`
		}
		if yaml.Unmarshal(doc, &k) != nil || k.Kind != "Kustomization" || k.Spec.Path == "" {
			continue
		}
		if got := cleanRepoPath(k.Spec.Path); got != want && !strings.HasPrefix(got, want+"/") && want != "." {
			at := Location{File: fluxSyncFile, Object: k.Kind + "/" + k.Metadata.Namespace + "/" + k.Metadata.Name, Field: "spec.path"}
			out = append(out, gitPathProblem(at, k.Spec.Path, want))
		}
	}
	return out
}

func gitPathProblem(at Location, got, want string) Problem {
	return Problem{What: "Git path", At: at, Got: got, Msg: fmt.Sprintf(
		"the tree was rendered for the repository path %q but lies at %q, so Flux would sync a path that does not hold it; render it again into this directory (with gitops.repository.path unset, or set to %q)",
		got, want, want)}
}

// cleanRepoPath drops "./", leading and trailing slashes; "." is the root.
func cleanRepoPath(p string) string {
	p = path.Clean("/" + strings.TrimSpace(p))
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}
