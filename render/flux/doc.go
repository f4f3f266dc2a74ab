// Package flux renders the Flux objects of the tree:
//
//   - kubernetes/infrastructure/aws-load-balancer-controller.yaml: the eks
//     HelmRepository and the AWS Load Balancer Controller HelmRelease;
//   - kubernetes/apps/milvus/milvus.yaml: the milvus HelmRepository and the
//     Milvus HelmRelease, which depends on the controller's release;
//   - flux/gitrepository.yaml and flux/kustomizations.yaml: the GitRepository
//     and the two Flux Kustomizations (apps depends on infrastructure), only
//     when the spec names a Git repository.
//
// Every object is built from the Flux Go API types by a small pure buildX
// function; Helm values come from render/values and file paths from
// render/kustomize. No Secret is ever rendered: the Git credentials Secret
// named by the spec is created out of band (bootstrap), and only referenced.
//
// Render is pure: the same spec gives the same bytes.
package flux
