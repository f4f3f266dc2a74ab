// Package v1alpha1 holds the few Argo CD API types milvusgen writes and
// reads: Application, AppProject and ApplicationSet of argoproj.io/v1alpha1,
// with only the fields milvusgen uses.
//
// They are written here instead of imported because the Argo CD Go module
// is huge and pins its own Kubernetes libraries. Field names and JSON tags
// follow github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1; the
// tests in internal/consumer prove every rendered object against the real
// v3.5.1 CRDs (OpenAPI schema, no field the API server would prune), and
// internal/apply's tests dry-run them on an API server serving those CRDs.
package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// API group, version and kinds.
const (
	Group              = "argoproj.io"
	Version            = "v1alpha1"
	APIVersion         = Group + "/" + Version
	ApplicationKind    = "Application"
	AppProjectKind     = "AppProject"
	ApplicationSetKind = "ApplicationSet"
)

// Annotations and finalizers Argo CD reads on the objects it syncs.
const (
	// SyncWaveAnnotation orders the objects of one sync: lower waves are
	// applied, and must be healthy, before higher ones.
	SyncWaveAnnotation = "argocd.argoproj.io/sync-wave"
	// SyncOptionsAnnotation holds per-object sync options, comma-separated,
	// such as "Prune=false,Delete=false".
	SyncOptionsAnnotation = "argocd.argoproj.io/sync-options"
	// ResourcesFinalizer makes deleting an Application delete the objects
	// it synced (a cascading delete), in the foreground.
	ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"
)

// Health and sync statuses of an Application (status.health.status,
// status.sync.status).
const (
	HealthHealthy     = "Healthy"
	HealthProgressing = "Progressing"
	HealthDegraded    = "Degraded"
	HealthMissing     = "Missing"
	SyncSynced        = "Synced"
	SyncOutOfSync     = "OutOfSync"
)

// InClusterServer is the API server address of the cluster Argo CD runs in.
const InClusterServer = "https://kubernetes.default.svc"

// Application is a group of Kubernetes objects synced from one source.
type Application struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ApplicationSpec    `json:"spec"`
	Status            *ApplicationStatus `json:"status,omitempty"`
}

// ApplicationSpec is what an Application syncs, where to and how.
type ApplicationSpec struct {
	// Project is the AppProject the Application belongs to.
	Project string             `json:"project"`
	Source  *ApplicationSource `json:"source,omitempty"`
	// Sources replace Source with several: a chart and the Git
	// repository its value files come from (Ref).
	Sources     []ApplicationSource    `json:"sources,omitempty"`
	Destination ApplicationDestination `json:"destination"`
	SyncPolicy  *SyncPolicy            `json:"syncPolicy,omitempty"`
	// IgnoreDifferences are fields left out of the live/desired comparison.
	IgnoreDifferences []ResourceIgnoreDifferences `json:"ignoreDifferences,omitempty"`
	// RevisionHistoryLimit bounds status.history.
	RevisionHistoryLimit *int64 `json:"revisionHistoryLimit,omitempty"`
}

// ApplicationSource is a Git path (Path set) or a Helm chart from a Helm
// repository (Chart set).
type ApplicationSource struct {
	RepoURL string `json:"repoURL"`
	// Path is the directory in a Git repository.
	Path string `json:"path,omitempty"`
	// TargetRevision is a branch, tag or commit for Git, a chart version
	// for Helm.
	TargetRevision string                 `json:"targetRevision,omitempty"`
	Chart          string                 `json:"chart,omitempty"`
	Helm           *ApplicationSourceHelm `json:"helm,omitempty"`
	// Ref names a source of a multi-source Application whose files the
	// other sources read as $<ref>/<path>.
	Ref string `json:"ref,omitempty"`
}

// ApplicationSourceHelm are the options of `helm template` for a chart.
type ApplicationSourceHelm struct {
	// ReleaseName is the Helm release name; it defaults to the
	// Application's name.
	ReleaseName string `json:"releaseName,omitempty"`
	// ValuesObject are the release's values, as a structured object.
	ValuesObject *apiextensionsv1.JSON `json:"valuesObject,omitempty"`
	// ValueFiles are values files, "$<ref>/<path>" for one of another
	// source.
	ValueFiles []string `json:"valueFiles,omitempty"`
}

// ApplicationDestination is the cluster and namespace objects go to.
type ApplicationDestination struct {
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// SyncPolicy is when and how an Application syncs.
type SyncPolicy struct {
	// Automated, when set, syncs whenever Git or the cluster drift.
	Automated   *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions []string             `json:"syncOptions,omitempty"`
	Retry       *RetryStrategy       `json:"retry,omitempty"`
}

// SyncPolicyAutomated tunes automated sync.
type SyncPolicyAutomated struct {
	// Prune deletes objects that left the source.
	Prune bool `json:"prune,omitempty"`
	// SelfHeal reverts changes made in the cluster.
	SelfHeal bool `json:"selfHeal,omitempty"`
	// AllowEmpty lets a sync delete every object when the source renders
	// none; left false, an empty or wrong path prunes nothing.
	AllowEmpty bool `json:"allowEmpty,omitempty"`
}

// RetryStrategy retries a failed sync.
type RetryStrategy struct {
	Limit   int64    `json:"limit,omitempty"`
	Backoff *Backoff `json:"backoff,omitempty"`
}

// Backoff is the delay between retries: Duration, times Factor after each
// failure, at most MaxDuration.
type Backoff struct {
	Duration    string `json:"duration,omitempty"`
	Factor      *int64 `json:"factor,omitempty"`
	MaxDuration string `json:"maxDuration,omitempty"`
}

// ResourceIgnoreDifferences leaves fields of matching objects out of the
// comparison.
type ResourceIgnoreDifferences struct {
	Group             string   `json:"group,omitempty"`
	Kind              string   `json:"kind"`
	Name              string   `json:"name,omitempty"`
	Namespace         string   `json:"namespace,omitempty"`
	JSONPointers      []string `json:"jsonPointers,omitempty"`
	JQPathExpressions []string `json:"jqPathExpressions,omitempty"`
}

// ApplicationStatus is what Argo CD observed; milvusgen only reads it.
type ApplicationStatus struct {
	Health HealthStatus `json:"health,omitempty"`
	Sync   SyncStatus   `json:"sync,omitempty"`
}

// HealthStatus is the aggregated health of an Application's objects.
type HealthStatus struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// SyncStatus compares the live objects with the source at Revision.
type SyncStatus struct {
	Status string `json:"status"`
	// Revision is the Git commit or chart version last compared.
	Revision string `json:"revision,omitempty"`
	// ComparedTo is the spec the comparison used; once it differs from
	// the Application's spec, Status is stale.
	ComparedTo *ComparedTo `json:"comparedTo,omitempty"`
}

// ComparedTo is the source and destination of the last comparison.
type ComparedTo struct {
	Source      *ApplicationSource     `json:"source,omitempty"`
	Destination ApplicationDestination `json:"destination"`
}

// AppProject bounds what its Applications may sync: which repositories,
// which destinations, which cluster-scoped kinds.
type AppProject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AppProjectSpec `json:"spec"`
}

// AppProjectSpec lists what the project allows.
type AppProjectSpec struct {
	Description string `json:"description,omitempty"`
	// SourceRepos are the Git and Helm repository URLs Applications may use.
	SourceRepos  []string                 `json:"sourceRepos,omitempty"`
	Destinations []ApplicationDestination `json:"destinations,omitempty"`
	// ClusterResourceWhitelist are the cluster-scoped kinds Applications
	// may sync; none unless listed.
	ClusterResourceWhitelist []GroupKind `json:"clusterResourceWhitelist,omitempty"`
}

// GroupKind names a kind; Group is "" for the core API.
type GroupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// ApplicationSet generates Applications from a template, once per
// element of its generators.
type ApplicationSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ApplicationSetSpec `json:"spec"`
}

// ApplicationSetSpec is the generators and the Application template.
type ApplicationSetSpec struct {
	GoTemplate        bool                      `json:"goTemplate,omitempty"`
	GoTemplateOptions []string                  `json:"goTemplateOptions,omitempty"`
	Generators        []ApplicationSetGenerator `json:"generators"`
	Template          ApplicationSetTemplate    `json:"template"`
	// SyncPolicy of the ApplicationSet itself: whether it may delete the
	// Applications it generated.
	SyncPolicy *ApplicationSetSyncPolicy `json:"syncPolicy,omitempty"`
}

// ApplicationSetGenerator is one generator; milvusgen uses Clusters
// (and List in tests).
type ApplicationSetGenerator struct {
	List     *ListGenerator    `json:"list,omitempty"`
	Clusters *ClusterGenerator `json:"clusters,omitempty"`
}

// ClusterGenerator yields one parameter set per cluster Secret in Argo
// CD's namespace that Selector matches: name, nameNormalized, server,
// project, metadata.labels and metadata.annotations, plus Values as
// values.<key>.
type ClusterGenerator struct {
	Selector metav1.LabelSelector `json:"selector,omitempty"`
	Values   map[string]string    `json:"values,omitempty"`
}

// ListGenerator yields one parameter set per element.
type ListGenerator struct {
	Elements []apiextensionsv1.JSON `json:"elements"`
}

// ApplicationSetTemplate is the Application each parameter set yields.
type ApplicationSetTemplate struct {
	ApplicationSetTemplateMeta `json:"metadata"`
	Spec                       ApplicationSpec `json:"spec"`
}

// ApplicationSetTemplateMeta is the generated Application's metadata.
type ApplicationSetTemplateMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Finalizers  []string          `json:"finalizers,omitempty"`
}

// ApplicationSetSyncPolicy limits what the ApplicationSet controller may
// do to the Applications it generated.
type ApplicationSetSyncPolicy struct {
	// PreserveResourcesOnDeletion keeps the generated Applications'
	// objects when the ApplicationSet is deleted.
	PreserveResourcesOnDeletion bool `json:"preserveResourcesOnDeletion,omitempty"`
	// ApplicationsSync is "create-only", "create-update", "create-delete"
	// or "sync"; create-update never deletes an Application.
	ApplicationsSync string `json:"applicationsSync,omitempty"`
}
