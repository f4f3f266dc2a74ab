package apply

import (
	"fmt"
	"reflect"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

func isApplication(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Group == v1alpha1.Group && gvk.Kind == v1alpha1.ApplicationKind
}

// applicationStatus is kstatus for an Argo CD Application, which kstatus
// would call Current as soon as it exists: it is ready once Argo CD
// reports it Healthy and Synced, and compared the source the Application
// now names (status.sync.comparedTo.source), at its current revision (for
// a chart, status.sync.revision is the pinned version). Anything else is
// in progress, with Argo CD's own message: a Degraded Application often
// recovers (pods restarting while etcd comes up), so only the wait's
// timeout ends it.
func applicationStatus(u *unstructured.Unstructured) (string, string) {
	app := &v1alpha1.Application{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, app); err != nil {
		return status.UnknownStatus.String(), fmt.Sprintf("reading the Application failed: %v", err)
	}
	st := app.Status
	if st == nil || st.Sync.Status == "" {
		return status.InProgressStatus.String(), "waiting for Argo CD to compare the Application"
	}
	if c := st.Sync.ComparedTo; c == nil || !reflect.DeepEqual(c.Source, app.Spec.Source) {
		return status.InProgressStatus.String(), "waiting for Argo CD to compare the current source"
	}
	if src := app.Spec.Source; src != nil && src.Chart != "" && st.Sync.Revision != src.TargetRevision {
		return status.InProgressStatus.String(), fmt.Sprintf("synced chart version %q, want %q", st.Sync.Revision, src.TargetRevision)
	}
	if st.Sync.Status != v1alpha1.SyncSynced || st.Health.Status != v1alpha1.HealthHealthy {
		msg := fmt.Sprintf("%s and %s", orUnknown(st.Health.Status), orUnknown(st.Sync.Status))
		if st.Health.Message != "" {
			msg += ": " + st.Health.Message
		}
		return status.InProgressStatus.String(), msg
	}
	return status.CurrentStatus.String(), ""
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}
