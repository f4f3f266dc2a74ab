package writer

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Action says what a write does to one file.
type Action string

// Actions of a Change.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Deleted   Action = "deleted"
	Unchanged Action = "unchanged"
)

// Change is one rendered (or formerly rendered) file's fate in a write.
// The manifest and the writer's transient files never appear in changes:
// they are bookkeeping, not rendered files.
type Change struct {
	Path   string
	Action Action
}

// Changed returns the changes other than Unchanged.
func Changed(cs []Change) []Change {
	var out []Change
	for _, c := range cs {
		if c.Action != Unchanged {
			out = append(out, c)
		}
	}
	return out
}

// Target is one tree to write: the files to hold under Root.
type Target struct {
	Root  string
	Files []manifest.File
	// Render is recorded in the manifest (see RenderOptions).
	Render RenderOptions
}

// Options tune a write or a check.
type Options struct {
	// Adopt allows writing into a directory that is not empty, has no
	// manifest and is not a Git work tree's root. A file milvusgen would
	// write that exists there with other content is still refused.
	Adopt bool
	// Version is the milvusgen release, recorded in the manifest.
	Version string
	// LockTimeout bounds the wait for another milvusgen writing the same
	// directory: zero means DefaultLockTimeout, negative means fail at once.
	LockTimeout time.Duration
	// Logf receives progress messages (waiting for a lock); nil drops them.
	Logf func(format string, args ...any)
	// Warnf receives what the user should know although the write
	// succeeded: an interrupted write finished, a file that could not be
	// removed. Nil drops them.
	Warnf func(format string, args ...any)
}

// Write makes the tree under root hold files (plus the manifest) and
// reports each file's fate. Unchanged files are not touched.
func Write(root string, files []manifest.File) ([]Change, error) {
	return WriteTarget(Target{Root: root, Files: files}, Options{})
}

// WriteTarget writes one tree; see WriteAll.
func WriteTarget(t Target, opts Options) ([]Change, error) {
	cs, err := WriteAll([]Target{t}, opts)
	if len(cs) == 0 {
		return nil, err
	}
	return cs[0], err
}

// Check reports what Write would change, without writing.
func Check(root string, files []manifest.File) ([]Change, error) {
	return CheckTarget(Target{Root: root, Files: files}, Options{})
}

// CheckTarget checks one tree; see CheckAll.
func CheckTarget(t Target, opts Options) ([]Change, error) {
	cs, err := CheckAll([]Target{t}, opts)
	if len(cs) == 0 {
		return nil, err
	}
	return cs[0], err
}

// WriteAll runs every pre-check (ownership, adoption, path validity, locks
// held for all roots) for all targets before the first rename in any of
// them, then writes each. Nothing is written if any pre-check fails, with
// one exception: an earlier write of one of the trees that was killed
// after it began replacing files is finished first, since the pre-checks
// must see a whole tree. The trees are then committed concurrently; a
// failure in one (an I/O error after the pre-checks) does not stop the
// others, each being crash-safe on its own. The changes are in the order
// of targets.
func WriteAll(targets []Target, opts Options) ([][]Change, error) {
	trees, err := prepare(targets, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, t := range trees {
			// Under the lock, so a writer waiting for it sees the
			// directory gone and makes its own.
			t.undoCreated()
			t.close()
		}
	}()
	for _, t := range lockOrder(trees) {
		if err := t.open(true); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, t := range trees {
		if err := t.recover(); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := t.plan(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Every pre-check passed and every lock is held. The trees are then
	// written in three phases, each across all trees, so a full disk or
	// any other failure while staging leaves every tree as it was:
	//  1. stage: every file of every tree is written to a temporary file
	//     and synced, and the journal that commits it is staged too;
	//  2. mark: each tree's staged journal is renamed into place (a rename,
	//     which needs no space);
	//  3. finish: the renames and removals.
	// Only a failure in 2 or 3 (a disk error, a kill) can leave some
	// trees new and others old; a failure in 3 is a *PartialError naming
	// both, each unfinished tree keeps its journal, and the next write
	// finishes it.
	var mu sync.Mutex // the callers' Logf and Warnf are called one at a time
	serial := func(f func(string, ...any)) func(string, ...any) {
		if f == nil {
			return nil
		}
		return func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			f(format, args...)
		}
	}
	for _, t := range trees {
		t.opts.Logf, t.opts.Warnf = serial(t.opts.Logf), serial(t.opts.Warnf)
	}
	// Committing is bound by fsync: the trees of a phase run concurrently
	// (a few at a time) to overlap the syncs.
	each := func(f func(t *tree) error) []error {
		errs := make([]error, len(trees))
		sem := make(chan struct{}, commitJobs)
		var wg sync.WaitGroup
		for i, t := range trees {
			if !t.writeManifest {
				continue
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				errs[i] = f(t)
			})
		}
		wg.Wait()
		return errs
	}
	abortAll := func(errs []error) error {
		for _, t := range trees {
			if t.journal != nil {
				t.abort(t.journal)
			}
		}
		return errors.Join(errs...)
	}
	if errs := each((*tree).stageAll); errors.Join(errs...) != nil {
		return nil, abortAll(errs)
	}
	if errs := each((*tree).mark); errors.Join(errs...) != nil {
		return nil, abortAll(errs)
	}
	out := make([][]Change, len(trees))
	errs = each(func(t *tree) error {
		var err error
		out[t.index], err = t.finish()
		return err
	})
	for i, t := range trees {
		if !t.writeManifest {
			out[i] = t.changes
		}
	}
	if err := errors.Join(errs...); err != nil {
		if len(trees) == 1 {
			return out, err
		}
		pe := &PartialError{Err: err}
		for i, t := range trees {
			if errs[i] != nil && t.unfinished {
				pe.Old = append(pe.Old, t.Root)
			} else {
				pe.New = append(pe.New, t.Root)
			}
		}
		return out, pe
	}
	return out, nil
}

// PartialError says a multi-tree write failed after its first rename:
// the trees in New hold the new files, those in Old their old files and
// the journal that the next write (or render) uses to finish them; a
// check reports those as unfinished.
type PartialError struct {
	New, Old []string
	Err      error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v\nthe write stopped part way: %d of %d trees hold the new files (%s); %s still hold the old ones and will be finished by the next render (render --check reports them unfinished)",
		e.Err, len(e.New), len(e.New)+len(e.Old), strings.Join(e.New, ", "), strings.Join(e.Old, ", "))
}

func (e *PartialError) Unwrap() error { return e.Err }

// commitJobs is how many trees WriteAll commits at once.
const commitJobs = 8

// CheckAll reports, for each target, what WriteAll would change, and fails
// where WriteAll would refuse. It writes nothing: a tree holding the
// journal of an interrupted write is an *UnfinishedError.
func CheckAll(targets []Target, opts Options) ([][]Change, error) {
	trees, err := prepare(targets, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, t := range trees {
			t.close()
		}
	}()
	for _, t := range lockOrder(trees) {
		if !t.missing {
			if err := t.open(false); err != nil {
				return nil, err
			}
		}
	}
	var errs []error
	out := make([][]Change, len(trees))
	for i, t := range trees {
		if t.missing {
			for _, f := range t.Files {
				out[i] = append(out[i], Change{f.Path, Created})
			}
			sort.Slice(out[i], func(a, b int) bool { return out[i][a].Path < out[i][b].Path })
			continue
		}
		if j, err := readJournal(t); err != nil {
			errs = append(errs, err)
			continue
		} else if j != nil {
			errs = append(errs, &UnfinishedError{Root: t.Root})
			continue
		}
		if s, err := t.strays(); err != nil {
			errs = append(errs, err)
			continue
		} else if len(s) > 0 {
			errs = append(errs, &StrayError{Root: t.Root, Files: s})
			continue
		}
		if err := t.plan(); err != nil {
			errs = append(errs, err)
			continue
		}
		out[i] = t.changes
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// tree is one target during a write or a check.
type tree struct {
	Target
	opts Options
	abs  string // Root, absolute and clean
	key  string // abs with symlinks resolved, to compare roots

	missing bool     // Root did not exist
	created []string // directories made for Root, innermost first
	keep    bool     // the write got past staging: keep created

	dir   *os.Root
	lockf *os.File

	changes       []Change
	writes        []*op
	removals      []string
	newDirs       []string // outermost first
	rmdirs        []string // innermost first
	record        *Manifest
	writeManifest bool

	index      int      // in the targets
	journal    *journal // the write's journal, once staged
	dirs       map[string]bool
	unfinished bool // the journal stays: the next write finishes the tree
}

// op is one file to stage and rename into place.
type op struct {
	path string
	data []byte
	exec bool
	perm fs.FileMode // for a new file, before the umask
	old  fs.FileInfo // the file replaced, nil when new
	temp string
}

func (t *tree) logf(format string, args ...any) {
	if t.opts.Logf != nil {
		t.opts.Logf(format, args...)
	}
}

func (t *tree) warnf(format string, args ...any) {
	if t.opts.Warnf != nil {
		t.opts.Warnf(format, args...)
	}
}

// prepare checks what can be checked without touching a directory: the
// file lists, the roots, and whether each existing root may be written.
func prepare(targets []Target, opts Options) ([]*tree, error) {
	var errs []error
	trees := make([]*tree, len(targets))
	for i, tg := range targets {
		t := &tree{Target: tg, opts: opts, index: i}
		trees[i] = t
		if tg.Root == "" {
			errs = append(errs, errors.New("no output directory given"))
			continue
		}
		if err := checkFiles(tg.Files); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", tg.Root, err))
			continue
		}
		abs, err := filepath.Abs(tg.Root)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.abs, t.key = abs, ResolveExisting(abs)
		switch fi, err := os.Stat(abs); {
		case isNotExist(err):
			t.missing = true
		case err != nil:
			errs = append(errs, err)
		case !fi.IsDir():
			errs = append(errs, fmt.Errorf("%s: exists and is not a directory", tg.Root))
		default:
			if err := adoptable(t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) == 0 {
		for i, a := range trees {
			for _, b := range trees[i+1:] {
				switch {
				case a.key == b.key:
					errs = append(errs, fmt.Errorf("%s and %s are the same directory; each tree needs its own", a.Root, b.Root))
				case strings.HasPrefix(b.key, a.key+string(filepath.Separator)) || a.key == string(filepath.Separator):
					errs = append(errs, fmt.Errorf("%s is inside %s; trees cannot nest", b.Root, a.Root))
				case strings.HasPrefix(a.key, b.key+string(filepath.Separator)) || b.key == string(filepath.Separator):
					errs = append(errs, fmt.Errorf("%s is inside %s; trees cannot nest", a.Root, b.Root))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return trees, nil
}

// ResolveExisting returns p with the symlinks of its longest existing
// prefix resolved; the rest, which does not exist yet, is kept as it is.
func ResolveExisting(p string) string {
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest)
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// checkFiles rejects a file list no tree can hold, or one past the
// bounds of a rendered tree (input.TreeFile per file, input.Tree in all):
// milvusgen renders kilobytes, so more means the input generated values
// without bound.
func checkFiles(files []manifest.File) error {
	seen := make(map[string]bool, len(files))
	var total int64
	for _, f := range files {
		if n := int64(len(f.Data)); n > input.TreeFile {
			return fmt.Errorf("%s: rendered %s, more than the %s a rendered file may hold; look for raw values or config that repeat or double", f.Path, input.Size(n), input.Size(input.TreeFile))
		}
		if total += int64(len(f.Data)); total > input.Tree {
			return fmt.Errorf("the rendered tree holds more than %s, the most milvusgen writes; look for raw values or config that repeat or double", input.Size(input.Tree))
		}
		if err := validPath(f.Path); err != nil {
			return err
		}
		if reserved(f.Path) {
			return fmt.Errorf("%s: reserved for milvusgen's bookkeeping or Git", f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("%s: rendered twice", f.Path)
		}
		seen[f.Path] = true
	}
	for _, f := range files {
		for _, a := range ancestors(f.Path) {
			if seen[a] {
				return fmt.Errorf("%s is rendered both as a file and as the directory of %s", a, f.Path)
			}
		}
	}
	return nil
}

// adoptable refuses a root that is not milvusgen's to write: one that has
// no manifest (or journal), is not empty, is not a Git work tree's root and
// was not adopted. It reads at most a few names: $HOME or / are refused
// without walking them.
func adoptable(t *tree) error {
	for _, n := range []string{ManifestName, JournalName} {
		if _, err := os.Lstat(filepath.Join(t.abs, n)); err == nil {
			return nil
		}
	}
	if t.opts.Adopt {
		return nil
	}
	d, err := os.Open(t.abs)
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(8)
	d.Close()
	if err != nil && err != io.EOF {
		return err
	}
	var found []string
	for _, n := range names {
		if !Transient(n) {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return nil
	}
	if _, err := os.Lstat(filepath.Join(t.abs, ".git")); err == nil {
		return nil
	}
	sort.Strings(found)
	if len(found) > 3 {
		found = append(found[:3], "…")
	}
	return fmt.Errorf("%s holds files milvusgen did not write (%s) and no %s; render into a new or empty directory or a Git work tree's root, or adopt this one with --adopt (milvusgen still never overwrites a file it did not write)", t.Root, strings.Join(found, ", "), ManifestName)
}

// lockOrder orders trees for locking, so two fleet writers sharing roots
// cannot deadlock.
func lockOrder(trees []*tree) []*tree {
	out := append([]*tree(nil), trees...)
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// open creates a missing root (for a write), opens it and locks it.
func (t *tree) open(write bool) error {
	// A writer that made the directory and failed its pre-checks removes
	// it again; one that waited for its lock then holds a deleted
	// directory and must start over.
	for range 3 {
		if err := t.openOnce(write); err != nil {
			return err
		}
		fi, err := t.lockf.Stat()
		if err != nil {
			return err
		}
		if now, err := os.Stat(t.abs); err == nil && os.SameFile(fi, now) {
			return nil
		}
		t.close()
		t.missing = true
		if !write {
			return nil
		}
	}
	return fmt.Errorf("%s: the directory keeps being replaced while milvusgen waits for it", t.Root)
}

func (t *tree) openOnce(write bool) error {
	if t.missing {
		t.created = nil
		for p := t.abs; ; p = filepath.Dir(p) {
			if _, err := os.Lstat(p); err == nil || !isNotExist(err) || filepath.Dir(p) == p {
				break
			}
			t.created = append(t.created, p)
		}
		if err := os.MkdirAll(t.abs, 0o777); err != nil {
			return fmt.Errorf("creating %s failed: %w", t.Root, err)
		}
	}
	d, err := os.OpenRoot(t.abs)
	if err != nil {
		return err
	}
	f, err := d.Open(".")
	if err != nil {
		d.Close()
		return err
	}
	if err := lockDir(f, t.Root, write, t.opts.LockTimeout, t.logf); err != nil {
		f.Close()
		d.Close()
		return err
	}
	t.dir, t.lockf = d, f
	return nil
}

func (t *tree) close() {
	if t.lockf != nil {
		t.lockf.Close() // releases the lock
		t.lockf = nil
	}
	if t.dir != nil {
		t.dir.Close()
		t.dir = nil
	}
}

// undoCreated removes the directories made for a root whose write did not
// start, when still empty.
func (t *tree) undoCreated() {
	if t.keep {
		return
	}
	for _, p := range t.created {
		if os.Remove(p) != nil {
			return
		}
	}
}

// recover finishes or undoes an interrupted earlier write.
func (t *tree) recover() error {
	j, err := readJournal(t)
	if err != nil {
		return err
	}
	if err := removeIfFile(t.dir, manifestTemp); err != nil {
		return err
	}
	msg, err := recoverJournal(t, j)
	if err != nil {
		return err
	}
	if msg != "" {
		t.warnf("%s", msg)
	}
	return t.removeStrays()
}

// manifestTemp stages a manifest rewritten after the journal's renames.
const manifestTemp = tempPrefix + "manifest"

// dirState is what a directory the tree needs is on disk.
type dirState int

const (
	dirExists dirState = iota + 1
	dirMissing
	dirBlocked
)

// plan compares the wanted tree with the disk, under the lock. It fails
// when a file milvusgen would write exists and is not its own.
func (t *tree) plan() error {
	if err := adoptable(t); err != nil {
		return err
	}
	old, err := t.readManifest()
	if err != nil {
		return err
	}
	ownedFiles, ownedDirs := old.owned()

	files := append([]manifest.File(nil), t.Files...)
	manifest.Sort(files)
	states := map[string]dirState{}
	wantDirs := map[string]bool{}
	var conflicts []string
	rec := &Manifest{Generator: generator, Version: t.opts.Version, Render: t.Render, Dirs: []string{}, Files: make([]ManifestEntry, 0, len(files))}

	for _, f := range files {
		rec.Files = append(rec.Files, ManifestEntry{Path: f.Path, SHA256: sum(f.Data)})
		w := &op{path: f.Path, data: f.Data, perm: filePerm(f)}
		w.exec = w.perm&0o100 != 0
		parentMissing, blocked := false, false
		for _, a := range ancestors(f.Path) {
			wantDirs[a] = true
			st, seen := states[a]
			if !seen {
				st = dirMissing
				if !parentMissing {
					st = t.dirState(a)
				}
				states[a] = st
				switch st {
				case dirMissing:
					t.newDirs = append(t.newDirs, a)
				case dirBlocked:
					conflicts = append(conflicts, a+" (not a directory)")
				}
			}
			if st == dirBlocked {
				blocked = true
				break
			}
			parentMissing = st == dirMissing
		}
		if blocked {
			continue
		}
		if parentMissing {
			t.add(w, Created)
			continue
		}
		fi, err := t.dir.Lstat(f.Path)
		switch {
		case isNotExist(err):
			t.add(w, Created)
			continue
		case err != nil:
			return err
		case !fi.Mode().IsRegular():
			conflicts = append(conflicts, f.Path+" (not a regular file)")
			continue
		}
		data, err := input.ReadRoot(t.dir, f.Path, input.TreeFile)
		if err != nil {
			return err
		}
		same := bytes.Equal(data, f.Data)
		if !ownedFiles[f.Path] && !same {
			conflicts = append(conflicts, f.Path)
			continue
		}
		// A file with the rendered bytes is adopted as it is.
		w.old = fi
		if same && (fi.Mode().Perm()&0o100 != 0) == w.exec {
			t.changes = append(t.changes, Change{f.Path, Unchanged})
			continue
		}
		t.add(w, Updated)
	}
	if len(conflicts) > 0 {
		more := ""
		if len(conflicts) > 5 {
			more = fmt.Sprintf(" and %d more", len(conflicts)-5)
			conflicts = conflicts[:5]
		}
		return fmt.Errorf("%s: milvusgen would write %s%s, which it did not write; move them away (milvusgen never overwrites files it does not own)", t.Root, strings.Join(conflicts, ", "), more)
	}

	// Files milvusgen owns but no longer renders.
	rendered := make(map[string]bool, len(files))
	for _, f := range files {
		rendered[f.Path] = true
	}
	var gone []string
	for p := range ownedFiles {
		if !rendered[p] {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		if !t.realDirs(ancestors(p)) {
			continue // its directory is gone or replaced: nothing of ours there
		}
		fi, err := t.dir.Lstat(p)
		switch {
		case isNotExist(err):
		case err != nil:
			return err
		case fi.Mode().IsRegular():
			t.removals = append(t.removals, p)
			t.changes = append(t.changes, Change{p, Deleted})
		default:
			t.warnf("%s: left %s in place: milvusgen wrote it, but it is no longer a regular file", t.Root, p)
		}
	}

	// Directories: those milvusgen made (before or now) and still needs
	// are recorded; those it no longer needs go when empty.
	for _, d := range t.newDirs {
		ownedDirs[d] = true
	}
	for d := range ownedDirs {
		if wantDirs[d] {
			rec.Dirs = append(rec.Dirs, d)
		} else {
			t.rmdirs = append(t.rmdirs, d)
		}
	}
	sort.Strings(rec.Dirs)
	sort.Slice(t.rmdirs, func(i, j int) bool {
		a, b := t.rmdirs[i], t.rmdirs[j]
		if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
			return da > db
		}
		return a < b
	})
	if len(t.rmdirs) > 0 && len(t.writes) == 0 && len(t.removals) == 0 {
		// Only leftovers: remove the ones that are gone already from the
		// record instead of rewriting the manifest for nothing.
		var keep []string
		for _, d := range t.rmdirs {
			if fi, err := t.dir.Lstat(d); err == nil && fi.IsDir() {
				keep = append(keep, d)
			}
		}
		t.rmdirs = keep
	}

	sort.Slice(t.changes, func(i, j int) bool { return t.changes[i].Path < t.changes[j].Path })
	t.record = rec
	t.writeManifest = len(t.writes) > 0 || len(t.removals) > 0 || len(t.rmdirs) > 0 || !sameRecord(old, rec)
	return nil
}

func (t *tree) add(w *op, a Action) {
	t.writes = append(t.writes, w)
	t.changes = append(t.changes, Change{w.path, a})
}

func (t *tree) dirState(p string) dirState {
	fi, err := t.dir.Lstat(p)
	switch {
	case isNotExist(err):
		return dirMissing
	case err == nil && fi.IsDir():
		return dirExists
	default:
		return dirBlocked
	}
}

// realDirs reports whether every directory of dirs is a real directory
// (not a symlink), so a removal below them stays in the tree milvusgen
// wrote.
func (t *tree) realDirs(dirs []string) bool {
	for _, d := range dirs {
		if fi, err := t.dir.Lstat(d); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

func (t *tree) readManifest() (*Manifest, error) {
	fi, err := t.dir.Lstat(ManifestName)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %s is not a regular file", t.Root, ManifestName)
	}
	data, err := input.ReadRoot(t.dir, ManifestName, input.TreeFile)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(filepath.Join(t.Root, ManifestName), data)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func filePerm(f manifest.File) fs.FileMode {
	if f.Mode == 0 {
		return 0o644
	}
	return f.Mode.Perm()
}

// keepMode is the mode of a file replacing one of mode old: the user's
// bits, with the executable bits following the rendered file.
func keepMode(old fs.FileMode, exec bool) fs.FileMode {
	old = old.Perm()
	if !exec {
		return old &^ 0o111
	}
	if old&0o111 != 0 {
		return old
	}
	return old | (old&0o444)>>2
}

// stageAll writes the staging journal, creates the directories, stages
// every file whole and synced, and stages the journal that commits them
// (journalTemp); nothing is replaced yet.
func (t *tree) stageAll() error {
	mf := &op{path: ManifestName, data: t.record.encode(), perm: 0o644}
	if fi, err := t.dir.Lstat(ManifestName); err == nil {
		mf.old = fi
	}
	writes := append(append([]*op(nil), t.writes...), mf)
	j := &journal{State: staging, Mkdirs: t.newDirs}
	for _, w := range writes {
		w.temp = path.Join(path.Dir(w.path), tempPrefix+randomName())
		j.Renames = append(j.Renames, rename{Temp: w.temp, Path: w.path})
	}
	if err := writeJournal(t, j); err != nil {
		_ = removeIfFile(t.dir, journalTemp)
		return fmt.Errorf("%s: writing the journal %s failed: %w", t.Root, JournalName, err)
	}
	t.journal = j
	hook("journal-written")
	t.dirs = map[string]bool{".": true}
	for _, d := range t.newDirs {
		if err := t.dir.Mkdir(d, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: creating %s failed: %w", t.Root, d, err)
		}
		t.dirs[path.Dir(d)] = true
		hook("mkdir")
	}
	for _, w := range writes {
		if err := t.stage(w); err != nil {
			return fmt.Errorf("%s: writing %s failed: %w", t.Root, w.path, err)
		}
		t.dirs[path.Dir(w.path)] = true
		hook("staged")
	}
	// The journal may name only files that are whole and durable.
	if err := syncDirs(t.dir, t.dirs); err != nil {
		return fmt.Errorf("%s: %w", t.Root, err)
	}
	next := *j
	next.State, next.Removals, next.Rmdirs = committing, t.removals, t.rmdirs
	if err := stageJournal(t, &next); err != nil {
		return fmt.Errorf("%s: writing the journal %s failed: %w", t.Root, JournalName, err)
	}
	return nil
}

// mark puts the staged committing journal in place: from here on the
// next write finishes this tree rather than undoing it.
func (t *tree) mark() error {
	if err := commitJournal(t); err != nil {
		return fmt.Errorf("%s: %w", t.Root, err)
	}
	t.journal.State, t.journal.Removals, t.journal.Rmdirs = committing, t.removals, t.rmdirs
	t.keep = true
	hook("committing")
	return nil
}

// finish carries out the renames and removals of a marked tree.
func (t *tree) finish() ([]Change, error) {
	j, dirs := t.journal, t.dirs
	t.unfinished = true
	for _, r := range j.Renames {
		if err := t.dir.Rename(r.Temp, r.Path); err != nil {
			return nil, fmt.Errorf("%s: replacing %s failed: %w; the next render finishes the write", t.Root, r.Path, err)
		}
		hook("renamed")
	}
	t.unfinished = false
	changes := append([]Change(nil), t.changes...)
	var leftovers []string
	for _, p := range t.removals {
		if _, err := removeFileIfExists(t.dir, p); err != nil {
			t.warnf("%s: could not remove %s, which milvusgen no longer renders: %v", t.Root, p, err)
			leftovers = append(leftovers, p)
			changes = dropChange(changes, p)
			continue
		}
		dirs[path.Dir(p)] = true
		hook("removed")
	}
	removeEmptyDirs(t.dir, t.rmdirs)
	for _, d := range t.rmdirs {
		dirs[path.Dir(d)] = true
	}
	if err := syncDirs(t.dir, dirs); err != nil {
		return changes, fmt.Errorf("%s: %w", t.Root, err)
	}
	if len(leftovers) > 0 {
		if err := t.recordLeftovers(leftovers); err != nil {
			t.warnf("%s: could not record the files left behind in %s: %v", t.Root, ManifestName, err)
		}
	}
	if err := removeJournal(t); err != nil {
		t.warnf("%s: the write is complete, but removing %s failed: %v", t.Root, JournalName, err)
	}
	hook("done")
	return changes, nil
}

// recordLeftovers keeps the files that could not be removed (and their
// directories) in the manifest, so a later write removes them.
func (t *tree) recordLeftovers(left []string) error {
	rec := *t.record
	rec.Files = append([]ManifestEntry(nil), rec.Files...)
	dirs := map[string]bool{}
	for _, d := range rec.Dirs {
		dirs[d] = true
	}
	for _, p := range left {
		data, err := input.ReadRoot(t.dir, p, input.TreeFile)
		if err != nil {
			continue
		}
		rec.Files = append(rec.Files, ManifestEntry{Path: p, SHA256: sum(data)})
		for _, a := range ancestors(p) {
			if fi, err := t.dir.Lstat(a); err == nil && fi.IsDir() && contains(t.rmdirs, a) {
				dirs[a] = true
			}
		}
	}
	sort.Slice(rec.Files, func(i, j int) bool { return rec.Files[i].Path < rec.Files[j].Path })
	rec.Dirs = []string{}
	for d := range dirs {
		rec.Dirs = append(rec.Dirs, d)
	}
	sort.Strings(rec.Dirs)
	if err := writeSynced(t.dir, manifestTemp, rec.encode(), 0o644); err != nil {
		return err
	}
	if err := t.dir.Rename(manifestTemp, ManifestName); err != nil {
		return err
	}
	return syncDir(t.dir, ".")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func dropChange(cs []Change, p string) []Change {
	out := cs[:0]
	for _, c := range cs {
		if c.Path != p {
			out = append(out, c)
		}
	}
	return out
}

// abort undoes a write that failed before its first rename. The journal
// goes only once every staged file is gone: when a removal fails it stays,
// saying staging, so the next write finishes the cleanup (and a check
// reports the tree unfinished) instead of leaving files nobody lists.
func (t *tree) abort(j *journal) {
	if j.State == committing {
		// Marked, not renamed: say staging again before removing anything.
		back := *j
		back.State = staging
		if err := writeJournal(t, &back); err != nil {
			t.warnf("%s: could not undo the journal %s (%v); the next render finishes this tree's write instead of undoing it", t.Root, JournalName, err)
			return
		}
	}
	var failed []string
	for _, r := range j.Renames {
		if _, err := removeFileIfExists(t.dir, r.Temp); err != nil {
			failed = append(failed, r.Temp)
		}
	}
	removeEmptyDirs(t.dir, reversed(j.Mkdirs))
	_ = removeIfFile(t.dir, journalTemp)
	if len(failed) > 0 {
		t.warnf("%s: could not remove the staged files %s; %s stays, so the next render removes them", t.Root, strings.Join(failed, ", "), JournalName)
		return
	}
	_ = removeJournal(t)
}

// stage writes w's temporary file, whole and synced, with the mode and
// owner of the file it replaces.
func (t *tree) stage(w *op) error {
	f, err := t.dir.OpenFile(w.temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, w.perm)
	if err != nil {
		return err
	}
	err = func() error {
		if w.old != nil {
			if uid, gid, ok := owner(w.old); ok {
				if fi, err := f.Stat(); err == nil {
					if nuid, ngid, _ := owner(fi); nuid != uid || ngid != gid {
						_ = f.Chown(uid, gid) // only root may give files away
					}
				}
			}
			if err := f.Chmod(keepMode(w.old.Mode(), w.exec)); err != nil {
				return err
			}
		}
		if err := fault("write", filepath.Join(t.dir.Name(), w.temp)); err != nil {
			return err
		}
		if _, err := f.Write(w.data); err != nil {
			return err
		}
		return syncFile(f, filepath.Join(t.dir.Name(), w.temp))
	}()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeSynced writes name whole and synced, replacing a leftover of an
// earlier run.
func writeSynced(d *os.Root, name string, data []byte, perm fs.FileMode) error {
	if err := removeIfFile(d, name); err != nil {
		return err
	}
	f, err := d.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	err = fault("write", filepath.Join(d.Name(), name))
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = syncFile(f, filepath.Join(d.Name(), name))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(d *os.Root, name string) error {
	f, err := d.Open(name)
	if err != nil {
		return err
	}
	err = fault("syncdir", filepath.Join(d.Name(), name))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeFileIfExists removes name when it is a regular file, and reports
// whether it did.
func removeFileIfExists(d *os.Root, name string) (bool, error) {
	fi, err := d.Lstat(name)
	if isNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("%s is not a regular file", name)
	}
	if err := fault("remove", filepath.Join(d.Name(), name)); err != nil {
		return false, err
	}
	if err := d.Remove(name); err != nil && !isNotExist(err) {
		return false, err
	}
	return true, nil
}

func removeIfFile(d *os.Root, name string) error {
	_, err := removeFileIfExists(d, name)
	return err
}

func randomName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// syncFile makes f, the staged file at path name, durable.
func syncFile(f *os.File, name string) error {
	if err := fault("sync", name); err != nil {
		return err
	}
	return f.Sync()
}

// hook marks the steps of a write, for the crash tests.
var hook = func(step string) {}

// fault lets the tests fail an operation ("write", "sync", "syncdir",
// "remove") on
// a file or directory (its path: the tree's root joined with the name in
// the tree) as a full disk or a failing device would: ENOSPC from a
// write, EIO from a sync.
var fault = func(op, name string) error { return nil }
