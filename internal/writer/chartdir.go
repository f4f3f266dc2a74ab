package writer

import (
	"os"
	"path/filepath"
)

// RecordedFrom returns r as a tree at root records it: a relative chart
// directory (as the user gave it, relative to the working directory)
// becomes relative to root, so a later run from any directory finds it
// (issue 19 item 5). An absolute one stays as given.
func (r RenderOptions) RecordedFrom(root string) RenderOptions {
	if r.ChartDir == "" || filepath.IsAbs(r.ChartDir) {
		return r
	}
	absDir, err1 := filepath.Abs(r.ChartDir)
	absRoot, err2 := filepath.Abs(root)
	if err1 != nil || err2 != nil {
		return r
	}
	if rel, err := filepath.Rel(absRoot, absDir); err == nil {
		r.ChartDir = filepath.ToSlash(rel)
	}
	return r
}

// ChartDirAt is the recorded chart directory of the tree at root, as a
// path usable from the working directory: relative ones are relative to
// root. A tree recorded before that rule held the directory as given on
// the command line; when the path relative to root does not exist but
// that one does, it is used.
func (r RenderOptions) ChartDirAt(root string) string {
	if r.ChartDir == "" || filepath.IsAbs(r.ChartDir) {
		return r.ChartDir
	}
	p := filepath.Join(root, filepath.FromSlash(r.ChartDir))
	if _, err := os.Stat(p); err != nil {
		if _, err := os.Stat(r.ChartDir); err == nil {
			return r.ChartDir
		}
	}
	return p
}
