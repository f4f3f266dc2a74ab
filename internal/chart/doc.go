// Package chart keeps the Helm charts a spec pins in a local cache, so that
// hydrating HelmReleases never needs the network once the charts are there.
//
// The cache is a flat directory of chart archives named like Helm names them
// (<name>-<version>.tgz) plus a lock file, charts.lock.json, that records
// for each archive the repository it came from and its sha256 digest. Pull
// fills the cache from the charts' Helm repositories (verifying the digest
// the repository's index.yaml publishes) and is a no-op, without any
// network access, when the lock and the archives already agree. Load reads
// an archive back and refuses it when its digest differs from the lock, so
// a tampered or truncated cache file, or a republished chart version, is
// reported instead of rendered.
//
// Add does what Pull does for archives already on disk (copied from a
// machine with network access): it checks each is a chart milvusgen
// installs and, when the lock pins it, that its digest is the pinned one,
// then copies it in and locks it, offline. A directory without a lock still
// loads, and a Cache with Warn set says so once.
//
// The lock lives in the chart directory, not beside the spec: the default
// directory is the user's cache, shared by every spec on the machine, and a
// directory inside a repository (--chart-dir charts) can be committed with
// its lock to vendor the charts and pin their digests in Git. A directory
// without a lock (such as a folder of archives copied by hand) loads
// without a digest check.
package chart
