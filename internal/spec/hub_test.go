package spec

import (
	"strings"
	"testing"
)

const hubOK = `  argocd:
    mode: hub
    hub: {context: "arn:aws:eks:us-east-1:123456789012:cluster/hub", roleARN: "arn:aws:iam::123456789012:role/argocd-hub"}
`

func withGitOps(s string) string { return base + "gitops:\n" + s }

// TestArgoCDHub: gitops.argocd.mode "hub" decodes with its hub, and every
// way of getting it wrong is refused where it is, saying what to set.
func TestArgoCDHub(t *testing.T) {
	good := withGitOps("  engine: argocd\n  repository: {url: ssh://git@github.com/acme/fleet.git}\n" + hubOK)
	res, err := load(t, "spec.yaml", good)
	if err != nil {
		t.Fatalf("valid hub spec refused: %s", details(err))
	}
	if !res.Spec.UsesArgoCDHub() || res.Spec.GitOps.ArgoCD.Hub.Name != "milvusgen" {
		t.Fatalf("decoded %+v", res.Spec.GitOps.ArgoCD)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"flux", withGitOps("  repository: {url: ssh://git@github.com/acme/fleet.git}\n" + hubOK),
			`gitops.argocd.mode: mode "hub" is Argo CD's; set gitops.engine: "argocd"`},
		{"no hub", withGitOps("  engine: argocd\n  repository: {url: ssh://git@github.com/acme/fleet.git}\n  argocd: {mode: hub}\n"),
			`gitops.argocd.mode: mode "hub" needs the hub`},
		{"no repository", withGitOps("  engine: argocd\n" + hubOK),
			"the hub's ApplicationSets sync from Git; set gitops.repository.url"},
		{"hub without mode", withGitOps("  engine: argocd\n  argocd: {hub: {context: hub, roleARN: \"arn:aws:iam::123456789012:role/x\"}}\n"),
			`gitops.argocd.hub: hub is used only with mode: "hub"`},
		{"install", withGitOps("  engine: argocd\n  install: true\n  repository: {url: ssh://git@github.com/acme/fleet.git}\n" + hubOK),
			"gitops.install: with mode \"hub\" bootstrap.sh installs no Argo CD"},
		{"role ARN with a command", withGitOps("  engine: argocd\n  repository: {url: ssh://git@github.com/acme/fleet.git}\n" +
			strings.Replace(hubOK, "role/argocd-hub", "role/argocd-hub; rm -rf /", 1)), "gitops.argocd.hub.roleARN"},
		{"user ARN", withGitOps("  engine: argocd\n  repository: {url: ssh://git@github.com/acme/fleet.git}\n" +
			strings.Replace(hubOK, "role/argocd-hub", "user/admin", 1)), "gitops.argocd.hub.roleARN"},
		{"context with a space", withGitOps("  engine: argocd\n  repository: {url: ssh://git@github.com/acme/fleet.git}\n" +
			strings.Replace(hubOK, "cluster/hub", "cluster/hub $(id)", 1)), "gitops.argocd.hub.context"},
		{"unknown mode", withGitOps("  engine: argocd\n  argocd: {mode: spoke}\n"), "gitops.argocd.mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", tc.text)
			if err == nil || !strings.Contains(details(err), tc.want) {
				t.Errorf("got %v, want an error containing %q", details(err), tc.want)
			}
		})
	}
}
