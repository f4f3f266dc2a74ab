// Package consumer is the one place that says "the real consumer accepts
// this artifact". Each function hands a rendered artifact to the code that
// reads it in production, in process and offline:
//
//   - [Eksctl]: eksctl's strict decode, defaults, cluster, node group and
//     addon validation, and its JSON schema, as `eksctl create cluster -f`
//     runs them before it calls AWS;
//   - [CRDs]: Flux objects strictly decoded into Flux's Go types and
//     validated like kube-apiserver does on create, against the CRDs in
//     ../shared/crds/flux (unknown fields, OpenAPI schema, CEL rules,
//     ObjectMeta);
//   - [Kustomize]: krusty building a kustomization root on an in-memory
//     file system, as kustomize-controller and `kubectl apply -k` do;
//   - [Chart] and [Archive.Render]: the Helm SDK rendering a chart archive
//     from ../shared/charts with a release's values, client-only, as
//     `helm template` and helm-controller's dry runs do, returning the
//     objects strictly decoded into their k8s.io/api types;
//   - [Kube]: strict decoding of a plain Kubernetes object.
//
// Every error names the artifact or object it is about. The package is
// imported only by tests: the milvusgen binary never links eksctl, the
// Helm SDK or the API server's validation code.
package consumer
