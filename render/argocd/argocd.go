package argocd

import (
	"bytes"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Render returns the Argo CD object files in a fixed order: the LB
// controller Application, the Milvus Application, the AppProject and,
// when s has a Git repository, the root Application and the Applications
// it syncs. For a cluster a hub Argo CD serves (gitops.argocd.mode "hub")
// it returns only the Helm values files the hub's Applications read; the
// Applications are the hub tree's (RenderHub).
func Render(s *model.Spec) ([]manifest.File, error) {
	if s.UsesArgoCDHub() {
		return renderSpoke(s)
	}
	lb, err := buildLBController(s)
	if err != nil {
		return nil, err
	}
	milvus, err := buildMilvus(s)
	if err != nil {
		return nil, err
	}
	type file struct {
		path    string
		comment []string
		objs    []any
	}
	plan := []file{
		{kustomize.Path(kustomize.InfrastructureDir, kustomize.LBControllerFile), lbControllerComment, []any{lb}},
		{kustomize.Path(kustomize.AppsDir, kustomize.MilvusFile), nil, []any{milvus}},
		{kustomize.Path(kustomize.ArgoCDDir, kustomize.ProjectFile), nil, []any{buildProject(s)}},
	}
	if s.HasGitRepository() {
		plan = append(plan,
			file{kustomize.Path(kustomize.ArgoCDDir, kustomize.RootFile), nil, []any{buildRoot(s)}},
			file{kustomize.Path(kustomize.ArgoCDAppsDir, kustomize.ApplicationsFile), nil, []any{
				buildInfrastructure(s), buildApps(s),
			}},
		)
	}
	files := make([]manifest.File, 0, len(plan))
	for _, p := range plan {
		f, err := manifest.YAML(p.path, p.objs...)
		if err != nil {
			return nil, err
		}
		f.Data = withComment(f.Data, p.comment)
		files = append(files, f)
	}
	return files, nil
}

// withComment inserts comment lines after the generated-by header: the
// reasons for settings a reader would otherwise remove.
func withComment(data []byte, lines []string) []byte {
	if len(lines) == 0 {
		return data
	}
	header, rest, _ := bytes.Cut(data, []byte("\n"))
	var b bytes.Buffer
	b.Write(header)
	b.WriteByte('\n')
	for _, l := range lines {
		b.WriteString("# " + l + "\n")
	}
	b.Write(rest)
	return b.Bytes()
}
