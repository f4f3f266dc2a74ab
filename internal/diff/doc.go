// Package diff compares two rendered trees per object, not per line, and
// flags the changes that matter in production with a short reason.
//
// Every YAML document is identified by apiVersion group, kind, namespace
// and name, wherever it sits in either tree (a multi-document file, or a
// different file after a move); a document without a name (kustomization.yaml)
// is identified by its file. JSON files are compared field by field like
// objects, other files (scripts) by their lines. The tree manifest
// (.milvusgen-manifest.json) is ignored: it only lists hashes.
//
// Field paths are JSON-pointer-ish: /spec/values/externalS3/bucketName;
// keys holding '/' are quoted (annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]),
// list elements that carry a name are addressed by it
// (containers[name=querynode]), other list elements by index ([0]), lists
// of plain values are compared whole, and a multi-line string that is
// YAML on both sides (Milvus's user.yaml in its ConfigMap) is compared key
// by key below its own path.
//
// The rules (rules.go) look at each changed object and flag:
//   - data: a Milvus bucket, rootPath or region change (Milvus would start
//     on empty storage), a message-queue switch, persistence size or class
//     changes and StatefulSet volumeClaimTemplates (immutable), StorageClass
//     parameters and reclaim policy (immutable; what happens to existing
//     volumes), a Namespace Flux would prune or leave behind, the Milvus
//     namespace renamed, the GitOps path moved;
//   - availability: pod template changes of query, data and streaming
//     nodes and mixcoord (rolling restart), and of Pulsar's proxies and
//     autorecovery (their pulsarv3 values or StatefulSets), replicas going to 1 or 0, active
//     standby turned off, a HelmRelease Flux would uninstall;
//   - network: load balancer scheme, name or type changes (the load
//     balancer is replaced), source ranges opened to 0.0.0.0/0;
//   - infrastructure: node group instance type, name or other immutable
//     fields (the node group is replaced), Kubernetes version changes, the
//     cluster renamed or moved to another region or AWS account (a new
//     cluster; the old one is orphaned until its teardown runs).
//
// Compare is pure; ReadDir and ReadGit load the old tree from a directory
// or a Git commit (go-git, no git binary needed). Write* render a Report as
// terminal text, Markdown for a pull-request comment, or JSON.
package diff
