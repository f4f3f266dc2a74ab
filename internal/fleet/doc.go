// Package fleet renders many environments, each a spec made of files
// layered in order (a later file overrides data), in one run: it reads the fleet file that names them,
// loads and renders them concurrently, checks them against each other for
// AWS and GitOps names that would collide, and writes every output tree
// only when all of them are sound. The output never depends on how many
// environments are rendered at once.
package fleet
