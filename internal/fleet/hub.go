package fleet

import (
	"fmt"
	"path/filepath"
	"strconv"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/milvusgen/milvusgen/internal/appset"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// Hub is the fleet file's hub section: where the hub tree of the
// environments of gitops.argocd.mode "hub" is rendered.
type Hub struct {
	// Output is the hub tree's directory, relative to the fleet file's.
	Output string
	// Path is the hub tree's path in the repository when Output is not in
	// a Git work tree; inside one it is derived, as an environment's is.
	Path string
	Pos  token.Pos
}

// hubEnvs are the environments a hub Argo CD serves.
func hubEnvs(envs []*Env) []*Env {
	var out []*Env
	for _, e := range envs {
		if e.Result != nil && e.Result.Spec.UsesArgoCDHub() {
			out = append(out, e)
		}
	}
	return out
}

// checkHub: the environments of one fleet served by a hub name one hub
// and agree on what the hub tree holds once (its repository, branch,
// namespace and sync settings); the names they register under are
// distinct once normalized, as the Applications' names are.
func checkHub(envs []*Env) []Problem {
	hub := hubEnvs(envs)
	var out []Problem
	seen := map[string]*Env{}
	for _, e := range hub {
		s := e.Result.Spec
		k := appset.Normalize(s.ArgoCDClusterName())
		if prev, dup := seen[k]; dup {
			out = append(out, Problem{What: "registered cluster name", Value: s.ArgoCDClusterName(),
				Why: "a hub names each cluster's Applications after it, normalized (lower case); give one of them another cluster.name",
				A:   ref(prev, "cluster.name"), B: ref(e, "cluster.name")})
			continue
		}
		seen[k] = e
	}
	if len(hub) < 2 {
		return out
	}
	first := hub[0]
	a := first.Result.Spec
	for _, e := range hub[1:] {
		b := e.Result.Spec
		for _, f := range []struct {
			field, why string
			a, b       string
		}{
			{"gitops.argocd.hub.name", "a fleet file renders one hub tree", a.GitOps.ArgoCD.Hub.Name, b.GitOps.ArgoCD.Hub.Name},
			{"gitops.argocd.hub.context", "a fleet file renders one hub tree, for one hub", a.GitOps.ArgoCD.Hub.Context, b.GitOps.ArgoCD.Hub.Context},
			{"gitops.argocd.namespace", "the hub's Argo CD runs in one namespace", a.GitOps.ArgoCD.Namespace, b.GitOps.ArgoCD.Namespace},
			{"gitops.repository.url", "the hub tree and the values files it reads are in one repository", a.GitOps.Repository.URL, b.GitOps.Repository.URL},
			{"gitops.repository.branch", "the hub syncs the fleet from one branch", a.GitOps.Repository.Branch, b.GitOps.Repository.Branch},
			{"gitops.argocd.automated", "the ApplicationSets sync every cluster the same way", strconv.FormatBool(a.GitOps.ArgoCD.Automated), strconv.FormatBool(b.GitOps.ArgoCD.Automated)},
			{"gitops.argocd.prune", "the ApplicationSets sync every cluster the same way", strconv.FormatBool(a.GitOps.ArgoCD.Prune), strconv.FormatBool(b.GitOps.ArgoCD.Prune)},
			{"gitops.argocd.selfHeal", "the ApplicationSets sync every cluster the same way", strconv.FormatBool(a.GitOps.ArgoCD.SelfHeal), strconv.FormatBool(b.GitOps.ArgoCD.SelfHeal)},
		} {
			if f.a != f.b {
				out = append(out, Problem{What: f.field, Value: f.b, Differs: true,
					Why: f.why + "; set it the same in both (a shared base file)", A: ref(first, f.field), B: ref(e, f.field)})
			}
		}
	}
	return out
}

// HubTree is the rendered hub tree.
type HubTree struct {
	Output string
	Files  []manifest.File
}

// renderHub renders the hub tree of envs into h.Output. It is rendered
// only from the whole fleet: from a subset (--env) its ApplicationSets
// would lose the other environments' generators, so it is then left as
// it is (nil). A fleet with environments of mode hub needs a hub section.
func renderHub(envs []*Env, h *Hub, whole bool) (*HubTree, error) {
	hub := hubEnvs(envs)
	if len(hub) == 0 || !whole {
		return nil, nil
	}
	if h == nil {
		e := hub[0]
		return nil, errors.Newf(e.Pos, "environment %s is served by a hub Argo CD (gitops.argocd.mode \"hub\"), but the fleet file has no hub section; add hub: {output: DIR} for the hub tree", e.Name)
	}
	ha, err := filepath.Abs(h.Output)
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		if ea, err := filepath.Abs(e.Output); err == nil && nests(filepath.ToSlash(ha), filepath.ToSlash(ea)) {
			return nil, errors.Newf(h.Pos, "hub.output %s and environment %s's output %s are the same or nest; one render would remove the other's files; give the hub tree its own directory", h.Output, e.Name, e.Output)
		}
	}
	path := h.Path
	rel, _, ok, err := WorkTreePath(h.Output)
	if err != nil {
		return nil, err
	}
	switch {
	case ok && path != "" && CleanGitPath(path) != rel:
		return nil, errors.Newf(h.Pos, "hub.path is %q, but hub.output %s is %q in its Git work tree; drop hub.path to derive it", path, h.Output, rel)
	case ok:
		path = rel
	case path == "":
		path = "clusters/" + hub[0].Result.Spec.GitOps.ArgoCD.Hub.Name
	}
	t := &argocd.Hub{Name: hub[0].Result.Spec.GitOps.ArgoCD.Hub.Name, Path: CleanGitPath(path)}
	for _, e := range hub {
		t.Clusters = append(t.Clusters, e.Result.Spec)
	}
	files, err := argocd.RenderHub(t)
	if err != nil {
		return nil, fmt.Errorf("rendering the hub tree %s failed: %w", filepath.ToSlash(h.Output), err)
	}
	return &HubTree{Output: h.Output, Files: files}, nil
}

// Tree names the i-th tree Write and Stale report on: the environments in
// order, then the hub tree.
func (p *Plan) Tree(i int) (name, output string, files int) {
	if i < len(p.Envs) {
		e := p.Envs[i]
		return e.Name, e.Output, len(e.Files)
	}
	return "hub", p.Hub.Output, len(p.Hub.Files)
}
