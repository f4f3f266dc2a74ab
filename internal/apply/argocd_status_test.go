package apply

import (
	"fmt"
	"testing"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestApplicationStatus(t *testing.T) {
	const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: milvus-demo, namespace: argocd}
spec:
  project: milvusgen
  destination: {server: https://kubernetes.default.svc, namespace: milvus}
  source: {repoURL: https://zilliztech.github.io/milvus-helm/, chart: milvus, targetRevision: 5.0.19, helm: {releaseName: milvus-demo}}
`
	compared := "    comparedTo:\n      destination: {server: https://kubernetes.default.svc, namespace: milvus}\n" +
		"      source: {repoURL: https://zilliztech.github.io/milvus-helm/, chart: milvus, targetRevision: %s, helm: {releaseName: milvus-demo}}\n"
	withStatus := func(health, sync, revision, comparedRevision string) string {
		s := app + "status:\n  health: {status: " + health + ", message: some pods are not ready}\n  sync:\n    status: " + sync + "\n    revision: " + revision + "\n"
		if comparedRevision != "" {
			s += fmt.Sprintf(compared, comparedRevision)
		}
		return s
	}
	for name, tt := range map[string]struct {
		doc, want, msg string
	}{
		"no status":              {app, status.InProgressStatus.String(), "waiting for Argo CD to compare the Application"},
		"healthy synced":         {withStatus("Healthy", "Synced", "5.0.19", "5.0.19"), status.CurrentStatus.String(), ""},
		"progressing":            {withStatus("Progressing", "Synced", "5.0.19", "5.0.19"), status.InProgressStatus.String(), "Progressing and Synced: some pods are not ready"},
		"out of sync":            {withStatus("Healthy", "OutOfSync", "5.0.19", "5.0.19"), status.InProgressStatus.String(), "Healthy and OutOfSync: some pods are not ready"},
		"degraded is not final":  {withStatus("Degraded", "Synced", "5.0.19", "5.0.19"), status.InProgressStatus.String(), "Degraded and Synced: some pods are not ready"},
		"compared an old source": {withStatus("Healthy", "Synced", "5.0.18", "5.0.18"), status.InProgressStatus.String(), "waiting for Argo CD to compare the current source"},
		"old revision":           {withStatus("Healthy", "Synced", "5.0.18", "5.0.19"), status.InProgressStatus.String(), `synced chart version "5.0.18", want "5.0.19"`},
		"no comparedTo yet":      {withStatus("Healthy", "Synced", "5.0.19", ""), status.InProgressStatus.String(), "waiting for Argo CD to compare the current source"},
	} {
		t.Run(name, func(t *testing.T) {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(tt.doc), &u.Object); err != nil {
				t.Fatal(err)
			}
			if !isApplication(u) {
				t.Fatal("not an Application")
			}
			got, msg := applicationStatus(u)
			if got != tt.want || msg != tt.msg {
				t.Errorf("applicationStatus = %s %q, want %s %q", got, msg, tt.want, tt.msg)
			}
		})
	}
}
