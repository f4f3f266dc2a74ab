package writer

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// strays lists the staged files (tempPrefix…) in the directories the tree
// uses (its root, the directories of its files and those its manifest
// records) that no journal names: an earlier write left them, a kill
// before its journal was written or a cleanup that failed in an older
// milvusgen. Under the lock no other write can be staging them.
func (t *tree) strays() ([]string, error) {
	dirs := map[string]bool{".": true}
	for _, f := range t.Files {
		for _, a := range ancestors(f.Path) {
			dirs[a] = true
		}
	}
	if m, err := t.readManifest(); err == nil && m != nil {
		_, owned := m.owned()
		for d := range owned {
			dirs[d] = true
		}
	}
	var out []string
	for d := range dirs {
		if d != "." && !t.realDirs(ancestors(d+"/x")) {
			continue // missing, or not a real directory: nothing of ours
		}
		f, err := t.dir.Open(d)
		if err != nil {
			continue
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s failed: %w", t.Root, d, err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tempPrefix) && e.Type()&fs.ModeType == 0 {
				out = append(out, path.Join(d, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// removeStrays removes the strays of an earlier write, saying so.
func (t *tree) removeStrays() error {
	s, err := t.strays()
	if err != nil || len(s) == 0 {
		return err
	}
	for _, p := range s {
		if _, err := removeFileIfExists(t.dir, p); err != nil {
			return fmt.Errorf("%s: removing %s, left by an earlier write, failed: %w", t.Root, p, err)
		}
	}
	t.warnf("%s: removed %d staged files an earlier write left behind (%s)", t.Root, len(s), listSome(s))
	return nil
}

// StrayError says a tree holds staged files of an earlier write that no
// journal names; a check reports it, the next write removes them.
type StrayError struct {
	Root  string
	Files []string
}

func (e *StrayError) Error() string {
	return fmt.Sprintf("%s: an earlier write left staged files (%s); run render without --check to remove them", e.Root, listSome(e.Files))
}

func listSome(s []string) string {
	if len(s) > 3 {
		return strings.Join(s[:3], ", ") + fmt.Sprintf(" and %d more", len(s)-3)
	}
	return strings.Join(s, ", ")
}
