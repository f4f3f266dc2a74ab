// Package gitrepo commits a rendered tree into a Git repository, for
// GitOps without a separate render-and-commit step: the tree is written
// with internal/writer into a directory of the repository's work tree,
// that directory alone is staged, and a commit names the spec it came from
// (cluster, release and a hash of the spec files). Nothing is committed
// when the tree did not change. The commit can be pushed to a remote.
//
// It uses go-git, so no git binary is needed. Pushing uses go-git's
// transports: local paths and file:// URLs need nothing, ssh:// uses the
// ssh agent, and http(s):// sends a token from $MILVUSGEN_GIT_TOKEN (never
// a flag, never printed) or else what the user's git credential helpers
// give (`git credential fill`, when git is installed; approved or rejected
// afterwards as git does).
package gitrepo
