package chart

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/milvusgen/milvusgen/internal/input"
)

// LockName is the lock file of a chart directory.
const LockName = "charts.lock.json"

// Lock is the content of charts.lock.json: every archive in the directory
// with the repository it came from and its digest.
type Lock struct {
	// Comment tells a reader of the file what it is.
	Comment string   `json:"comment,omitempty"`
	Charts  []Locked `json:"charts"`
}

// Locked is one archive of the lock.
type Locked struct {
	Ref
	// Digest is "sha256:" and the hex digest of the archive, the digest a
	// Helm repository's index.yaml publishes.
	Digest string `json:"digest"`
}

const lockComment = "Written by milvusgen chart pull: the digest of every chart archive in this directory. Loading a chart checks it."

// find returns the entry for name and version, or nil.
func (l *Lock) find(name, version string) *Locked {
	for i := range l.Charts {
		if c := &l.Charts[i]; c.Name == name && c.Version == version {
			return c
		}
	}
	return nil
}

// put adds or replaces the entry for e's name and version.
func (l *Lock) put(e Locked) {
	if c := l.find(e.Name, e.Version); c != nil {
		*c = e
		return
	}
	l.Charts = append(l.Charts, e)
	sort.Slice(l.Charts, func(i, j int) bool {
		a, b := l.Charts[i], l.Charts[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
}

// readLock reads dir's lock. A missing lock is (nil, nil): the directory
// is a plain folder of archives.
func readLock(dir string) (*Lock, error) {
	p := filepath.Join(dir, LockName)
	data, err := input.ReadFile(p, input.Lock)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, input.Named("chart lock", err)
	}
	var l Lock
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("%s is not a chart lock: %w", p, err)
	}
	return &l, nil
}

// writeLock merges entries into dir's current lock and replaces the file
// atomically. Re-reading right before writing keeps entries another pull
// (of another spec sharing the cache) added meanwhile.
func writeLock(dir string, entries []Locked) error {
	l, err := readLock(dir)
	if err != nil {
		return err
	}
	if l == nil {
		l = &Lock{}
	}
	l.Comment = lockComment
	for _, e := range entries {
		l.put(e)
	}
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, LockName), append(data, '\n'))
}

// writeAtomic writes data to a temporary file beside path and renames it
// over path, so readers see the old or the new content, never a part.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s write failed: %w", path, err)
	}
	return nil
}

// openLock creates the chart directory if needed and reads its lock; a
// directory without one starts an empty lock.
func (c *Cache) openLock() (*Lock, error) {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("chart directory %s create failed: %w", c.Dir, err)
	}
	lock, err := readLock(c.Dir)
	if err != nil || lock != nil {
		return lock, err
	}
	return &Lock{}, nil
}
