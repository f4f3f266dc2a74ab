package main

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/buildinfo"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// thisVersion is the release version of this binary, recorded in the
// trees it writes; tests replace it.
var thisVersion = buildinfo.Version

// treeVersion returns the milvusgen release the manifest of the tree in dir
// records, or "" when there is no readable manifest or it records no
// version (trees written before manifests recorded one).
func treeVersion(dir string) string {
	m, err := writer.ReadManifest(dir)
	if err != nil {
		return ""
	}
	return m.Version
}

// versionNote explains differences --check found in the tree in dir when
// another milvusgen release rendered it: a new release may render other
// bytes, which is the likely cause when the spec did not change. It is ""
// when the versions agree or the tree records none. Staleness itself is
// decided by the files' bytes alone, never by the version.
func versionNote(dir string) string {
	was, is := treeVersion(dir), thisVersion()
	if was == "" || was == is {
		return ""
	}
	return fmt.Sprintf("%s was rendered by milvusgen %s, this is %s: the differences may come from the new version; re-render with this one, or check with milvusgen %s", dir, was, is, was)
}
