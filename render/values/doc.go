// Package values builds the Helm values of the two releases milvusgen
// renders, the Milvus chart (5.x) and the AWS Load Balancer Controller
// chart, from the model. The Flux HelmReleases carry them.
//
// Contract: the returned maps are fresh on every call and hold only
// map[string]any, []any, string, bool and int (plus whatever scalars the
// user wrote in spec.milvus.values), so they marshal to the same JSON or
// YAML every time. They never alias the spec.
//
// Tests render the real charts from ../shared/charts with the Helm SDK and
// check the objects Kubernetes would receive, not just the values.
package values
