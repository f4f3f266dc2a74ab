// Package apply puts a rendered tree on a Kubernetes cluster for users
// without Flux: a thin wrapper over Flux's own server-side apply engine
// (github.com/fluxcd/pkg/ssa), so what lands on the cluster is what Flux
// would apply.
//
// [Load] builds every kustomization root of the rendered tree with krusty,
// as kustomize-controller does, and remembers each object's rendered file.
// A [Manager] then:
//
//   - applies the objects with server-side apply, field manager
//     "milvusgen", in dependency order: CRDs, Namespaces and ClusterRoles
//     first (waiting until they are established), then *Class objects, then
//     the rest ([Manager.Apply]);
//   - with DryRun, asks the API server what each object would become and
//     reports it as created, configured (with the changed fields) or
//     unchanged, changing nothing;
//   - records what it applied in an inventory ConfigMap
//     (kube-system/milvusgen-inventory by default), so that Prune deletes
//     only objects milvusgen applied before that are no longer rendered;
//     objects created by anyone else are never touched, and neither are
//     Namespaces or CRDs (deleting them deletes everything inside);
//   - waits until the objects are ready, reporting progress
//     ([Manager.Wait]; kstatus, stricter for Flux kinds, which must be
//     reconciled at their current generation).
//
// Unlike ssa's ApplyAllStaged, which stops at the first failure, every
// object is tried and gets its own [Change]: an API server error (a field
// manager conflict, an invalid field, a missing CRD or namespace) fails that
// object only, is reported with the file it came from, and leaves the others
// applied and reported. Field manager conflicts are errors unless
// ForceConflicts is set, as with kubectl apply --server-side. Results are
// data; the caller prints them.
//
// # The inventory
//
// The inventory ConfigMap holds one line per applied object in its
// "objects" key: "<namespace>_<name>_<group>_<Kind> <version>". That is
// Flux's ResourceInventory (kustomize-controller's status.inventory: an
// entry is an id from cli-utils' ObjMetadata and the object's API
// version) with one entry per line instead of a JSON list: ids are built
// and parsed with the same cli-utils functions Flux uses, and the version
// lets Prune delete an object whose CRD or API group the cluster still
// serves without asking discovery. Lines, sorted, keep
// `kubectl get configmap -o yaml` and a diff of two inventories readable.
// Flux keeps its inventory in a Kustomization's status, which a cluster
// without Flux does not have, so the ConfigMap is milvusgen's. cli-utils'
// own ConfigMap inventory (kubectl apply --prune's successor, in
// sigs.k8s.io/cli-utils) was not used: it stores one data key per object
// without the version, is bound to cli-utils' applier and inventory-id
// policies, and would be a second module beside Flux's fork of cli-utils
// that ssa already brings.
package apply
