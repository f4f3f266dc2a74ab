// Package model holds one deployment as plain Go values: the decoded spec
// (defaults already filled in by the CUE schema) plus every name derived from
// it. Names are derived here and nowhere else, so the ClusterConfig, the IAM
// policies, the Milvus values and the load balancer controller values cannot
// disagree. The package does no I/O.
package model
