// Package agreement checks that the artifacts of a rendered tree agree with
// each other: the names milvusgen derives once from the spec (cluster name,
// region, account ID, bucket and rootPath, the Milvus and LB controller
// service accounts and namespaces, the Milvus policy) must be the same in
// every file that carries them, because each file is read by a different
// consumer that cannot see the others.
//
// Check parses the tree (aws/eksctl-cluster.yaml, aws/iam/*.json, the
// HelmReleases under kubernetes/ and, when present, the names block of
// aws/bootstrap.sh and aws/teardown.sh), collects every place a value
// appears, and reports each place that differs from the value most places
// hold (on a tie, the first place in the order above), naming both files
// and field paths. A tree edited by hand, or assembled from two renders,
// fails here before eksctl, IAM and Flux act on it.
//
// Check reads files only; it never needs the spec, the network or a
// cluster, so `milvusgen validate --rendered DIR` can run in CI on a GitOps
// repository.
package agreement
