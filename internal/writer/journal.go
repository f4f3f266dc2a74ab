package writer

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"

	"github.com/milvusgen/milvusgen/internal/input"
)

// Journal states.
const (
	// staging: temporary files are being written; nothing was replaced
	// yet, so recovery removes them.
	staging = "staging"
	// committing: every staged file is complete and synced; recovery
	// finishes the renames and removals.
	committing = "committing"
)

// journal is the on-disk record of a write in progress.
type journal struct {
	State string `json:"state"`
	// Mkdirs are the directories the write creates, outermost first.
	Mkdirs []string `json:"mkdirs,omitempty"`
	// Renames move each staged file over its target, in order.
	Renames []rename `json:"renames"`
	// Removals are owned files no longer rendered.
	Removals []string `json:"removals,omitempty"`
	// Rmdirs are owned directories to remove when empty, innermost first.
	Rmdirs []string `json:"rmdirs,omitempty"`
}

type rename struct {
	Temp string `json:"temp"`
	Path string `json:"path"`
}

// UnfinishedError says a tree holds the journal of an interrupted write.
// A check reports it; the next write finishes the interrupted one.
type UnfinishedError struct {
	Root string
}

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("%s: an earlier write was interrupted (%s is present); run render without --check to finish it", e.Root, JournalName)
}

func readJournal(t *tree) (*journal, error) {
	data, err := input.ReadRoot(t.dir, JournalName, input.TreeFile)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil || (j.State != staging && j.State != committing) {
		return nil, fmt.Errorf("%s: unreadable journal %s (%v); it is written atomically, so the disk may be damaged: check the tree, then delete it", t.Root, JournalName, err)
	}
	// Like the manifest, the journal names files to remove: every name
	// must stay inside the tree and be what a write would have put there.
	ok := func(p string) bool { return validPath(p) == nil && p != JournalName && p != journalTemp }
	for _, r := range j.Renames {
		if !ok(r.Temp) || !ok(r.Path) || !Transient(r.Temp) || reserved(r.Path) && r.Path != ManifestName || path.Dir(r.Temp) != path.Dir(r.Path) {
			return nil, fmt.Errorf("%s: journal %s lists rename %q -> %q, which no write makes; check the tree, then delete it", t.Root, JournalName, r.Temp, r.Path)
		}
	}
	for _, p := range append(append(append([]string{}, j.Removals...), j.Rmdirs...), j.Mkdirs...) {
		if !ok(p) || reserved(p) && p != ManifestName {
			return nil, fmt.Errorf("%s: journal %s lists %q, which is not part of the tree; check the tree, then delete it", t.Root, JournalName, p)
		}
	}
	return &j, nil
}

// writeJournal replaces the journal atomically and durably.
func writeJournal(t *tree, j *journal) error {
	if err := stageJournal(t, j); err != nil {
		return err
	}
	return commitJournal(t)
}

// stageJournal writes j to journalTemp, whole and synced; until
// commitJournal renames it, recovery ignores (and removes) it.
func stageJournal(t *tree, j *journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSynced(t.dir, journalTemp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	hook("journal-staged")
	return nil
}

// commitJournal renames the staged journal into place, durably.
func commitJournal(t *tree) error {
	if err := t.dir.Rename(journalTemp, JournalName); err != nil {
		return err
	}
	return syncDir(t.dir, ".")
}

func removeJournal(t *tree) error {
	if err := t.dir.Remove(JournalName); err != nil && !isNotExist(err) {
		return err
	}
	return syncDir(t.dir, ".")
}

// recoverJournal finishes or undoes a write that was killed, and returns
// what it did, for the user.
func recoverJournal(t *tree, j *journal) (string, error) {
	// A leftover temporary journal was never renamed: nothing depends on it.
	if err := removeIfFile(t.dir, journalTemp); err != nil {
		return "", err
	}
	if j == nil {
		return "", nil
	}
	dirs := map[string]bool{".": true}
	if j.State == staging {
		n := 0
		for _, r := range j.Renames {
			if ok, err := removeFileIfExists(t.dir, r.Temp); err != nil {
				return "", err
			} else if ok {
				n++
			}
			dirs[path.Dir(r.Temp)] = true
		}
		removeEmptyDirs(t.dir, reversed(j.Mkdirs))
		if err := syncDirs(t.dir, dirs); err != nil {
			return "", err
		}
		if err := removeJournal(t); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s: an earlier write was interrupted before it replaced any file; removed its %d staged files", t.Root, n), nil
	}
	renamed, removed := 0, 0
	for _, r := range j.Renames {
		if _, err := t.dir.Lstat(r.Temp); isNotExist(err) {
			continue // renamed before the kill
		} else if err != nil {
			return "", err
		}
		if err := t.dir.Rename(r.Temp, r.Path); err != nil {
			return "", fmt.Errorf("%s: finishing an interrupted write failed: %w", t.Root, err)
		}
		dirs[path.Dir(r.Path)] = true
		renamed++
	}
	for _, p := range j.Removals {
		if ok, err := removeFileIfExists(t.dir, p); err != nil {
			t.warnf("%s: could not remove %s: %v", t.Root, p, err)
		} else if ok {
			removed++
			dirs[path.Dir(p)] = true
		}
	}
	removeEmptyDirs(t.dir, j.Rmdirs)
	if err := syncDirs(t.dir, dirs); err != nil {
		return "", err
	}
	if err := removeJournal(t); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: finished an earlier write that was interrupted (%d files renamed into place, %d removed)", t.Root, renamed, removed), nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// removeEmptyDirs removes each directory of dirs that is a real, empty
// directory; a directory holding anything, or replaced by a symlink, stays.
func removeEmptyDirs(d *os.Root, dirs []string) {
	for _, p := range dirs {
		if fi, err := d.Lstat(p); err == nil && fi.IsDir() {
			_ = d.Remove(p) // fails, harmlessly, when not empty
		}
	}
}

// syncDirs syncs every directory of dirs, innermost first.
func syncDirs(d *os.Root, dirs map[string]bool) error {
	list := make([]string, 0, len(dirs))
	for p := range dirs {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		return len(list[i]) > len(list[j]) || len(list[i]) == len(list[j]) && list[i] < list[j]
	})
	for _, p := range list {
		if err := syncDir(d, p); err != nil && !isNotExist(err) {
			return err
		}
	}
	return nil
}
