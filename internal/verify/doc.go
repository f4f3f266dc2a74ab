// Package verify checks a deployed Milvus the way the runbook's last step
// does, with credentials: it runs Milvus's hello_milvus sequence through
// Milvus's official gRPC API (milvus-proto/go-api/v2; milvus.go says why not
// the Go SDK) against the release's load balancer, a port-forward, or an
// address, and checks the
// deployment around it against the rendered tree: every component of
// the release (its subcharts' and init Jobs' pods included) has a ready
// or, for a Job, completed pod, the load balancer has the rendered scheme, and the
// service account is bound to the role eksctl creates (IRSA annotation, or
// the EKS pod identity association when AWS credentials are at hand).
//
// The names come from a rendered tree (ReadTarget), read after the tree
// passes `milvusgen validate --rendered`; a spec is rendered in memory and
// read the same way. Every step is reported with its duration and verdict;
// the collection verify creates is dropped whatever step fails. verify
// loads with the tree's in-memory replica number, and reports (and can
// gate on) the version Milvus's GetVersion gives.
//
// Rotate (milvusgen rotate-password) changes the root password through
// the same client: UpdateCredential, then the Secret, in an order a rerun
// can finish after any interruption.
package verify
