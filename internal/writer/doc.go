// Package writer puts rendered trees on disk in place, file by file.
//
// Every file is written to a temporary file in its own directory, synced,
// and renamed over the old one, so each file is at every instant either its
// old or its new content. The output directory itself is never renamed or
// replaced: `-o .`, a shell's working directory, a Git work tree's root and
// a mount point all work, and the directory keeps its inode, mode and owner.
//
// A manifest (.milvusgen-manifest.json) at the root records the files and
// directories milvusgen owns there, the render options and the release that
// wrote them. Files milvusgen does not own (.git/, a README, other tools'
// output) are never touched; files it owns but no longer renders are
// removed, and directories it created are removed when they become empty.
// A directory without a manifest is written only when it is empty, is the
// root of a Git work tree, or is adopted explicitly (Options.Adopt); even
// then a file milvusgen would write that exists with other content is
// refused. Anything else ($HOME, /) is refused before any of it is read.
//
// Crash safety: before the first rename, a journal (.milvusgen-journal.json)
// beside the manifest lists the pending renames and removals; the staged
// files are complete and synced before it is written. The next writing run
// rolls an unfinished journal forward (or, when the kill came while files
// were still being staged, removes the staged files) and says so; a check
// writes nothing and reports the unfinished journal as an error.
//
// Several trees (a fleet) are written in three phases, each across all
// trees: stage every file and the committing journal of every tree, then
// put each committing journal in place, then rename. A full disk or any
// failure while staging fails before the first rename and leaves every
// tree as it was; a failure after it is a *PartialError naming the trees
// on each version. An aborted write whose cleanup fails keeps its journal,
// and staged files no journal names fail a check and are removed by the
// next write.
//
// Existing files are read through the bounded reader (internal/input), and
// a rendered file or tree past its bound is refused before anything is
// written.
//
// One writer at a time: a writer holds an exclusive flock(2) on the output
// directory itself (no lock file is created), a check holds a shared one. A
// second writer waits, saying so, up to Options.LockTimeout.
//
// Names are always literal: no pattern matching, no globbing.
package writer
