// Package e2e holds the end-to-end tests of what users get: for every line
// of examples/render.list it reads the committed tree under out/ (not a
// fresh render) and hands each artifact to its real consumer through
// internal/consumer: eksctl for the ClusterConfig, strict decoding for the
// IAM policies, krusty for every kustomization root, the Flux CRDs for
// every Flux object, and the Helm SDK rendering the pinned charts from
// ../shared/charts with every HelmRelease's values. The assertions cross
// files: the Milvus pods run as the service account eksctl binds to the
// bucket policy, Milvus is configured with the bucket that policy grants
// on, and the LB controller runs for the cluster eksctl creates.
//
// The package has no non-test code besides this comment.
package e2e
