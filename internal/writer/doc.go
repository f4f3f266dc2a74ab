// Package writer puts a rendered tree on disk atomically. The tree is
// staged in a sibling temporary directory and swapped in with renames, so a
// failed or interrupted write leaves the previous tree as it was. A manifest
// (.milvusgen-manifest.json) records which files milvusgen owns; a directory
// holding anything else is refused rather than clobbered. Check reports what
// a write would change without touching the disk.
package writer
