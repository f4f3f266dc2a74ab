// Package hydrate renders, for review, the plain Kubernetes manifests each
// Flux HelmRelease of a rendered tree installs.
//
// Hydrate is a pure function of the rendered files and a chart loader: it
// decodes every HelmRelease (helm-controller's own API type) and the
// HelmRepository it names, loads the pinned chart through the loader (the
// chart cache; never the network), and renders it with Helm's engine the
// way `helm template` and helm-controller do: release name and namespace
// from spec.releaseName / spec.targetNamespace / metadata.namespace, the
// chart's default values coalesced with spec.values (and checked against
// its schema) by Helm itself, CRDs unless spec.install.crds is Skip, hooks
// except test hooks and unless install.disableHooks, and the
// helm.toolkit.fluxcd.io/{name,namespace} origin labels helm-controller's
// post-renderer adds. Charts see the cluster's Kubernetes version. The
// engine, not the install action, keeps Helm's release storage (and the SQL
// drivers it links) out of the binary.
//
// Hydrate reads HelmReleases; Render takes Inputs, a plain description of
// a release (chart, release name and namespace, values, CRDs and hooks,
// post-render labels), so that other declarations, such as an Argo CD
// Application's Helm source, can be hydrated the same way.
//
// Releases render concurrently. With Options.Cache, a release whose inputs
// were rendered before (Cache says which inputs count) is not rendered
// again, across runs and across fleet environments.
//
// Each release becomes one file, hydrated/<namespace>/<release>.yaml, with
// its objects sorted by kind, namespace and name. No kustomization.yaml
// lists these files: Flux installs the charts itself, and the files exist
// so that a pull request shows what a values change does to the pods.
//
// The output is byte-identical across runs. What a chart generates anew on
// every render is replaced by a fixed placeholder: the data of every Secret
// (the LB controller chart generates its webhook CA, certificate and key
// with genCA on each render; bundled subcharts generate random passwords)
// and every caBundle. helm.sh/chart labels, which change on every chart
// version bump and would flood a diff, are removed unless
// Options.KeepChartLabels is set. The file header says so.
//
// Charts see the cluster they will run on: .Capabilities.KubeVersion is the
// spec's Kubernetes version and .Capabilities.APIVersions what that version
// serves, with kinds, derived from client-go's scheme (KubeAPIVersions),
// plus the CRDs the tree and its charts install (apis.go).
package hydrate
