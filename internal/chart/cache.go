package chart

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/milvusgen/milvusgen/internal/input"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// EnvDir is the environment variable that overrides the default chart
// directory.
const EnvDir = "MILVUSGEN_CHART_DIR"

// DefaultDir is the chart directory used when none is given: $EnvDir, or
// milvusgen/charts under the user's cache directory
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux,
// ~/Library/Caches on macOS).
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no chart directory: %w; pass --chart-dir or set %s", err, EnvDir)
	}
	return filepath.Join(c, "milvusgen", "charts"), nil
}

// Cache is a chart directory: archives named <name>-<version>.tgz and, once
// something was pulled into it, the lock. It never touches the network.
type Cache struct {
	Dir string
	// Warn, when set, is told once that the directory has no lock, so the
	// archives it serves are not checked against pinned digests.
	Warn func(string)

	warnOnce sync.Once
}

// NewCache returns the cache in dir.
func NewCache(dir string) *Cache { return &Cache{Dir: dir} }

// DigestError reports an archive whose digest is not the pinned one.
type DigestError struct {
	Ref  Ref
	Path string // the archive, or the URL it was fetched from
	Want string // the digest pinned by the lock or published by the index
	Got  string
	By   string // what pinned Want: "lock" or "index"
}

func (e *DigestError) Error() string {
	return fmt.Sprintf("chart %s: %s has digest %s, but the %s pins %s; the file was changed, or the repository republished the version",
		e.Ref, e.Path, e.Got, e.By, e.Want)
}

// NotCachedError reports a chart missing from the cache.
type NotCachedError struct {
	Ref Ref
	Dir string
}

func (e *NotCachedError) Error() string {
	return fmt.Sprintf("chart %s is not in %s; run milvusgen chart pull -f SPEC --chart-dir %s (with network access) first", e.Ref, e.Dir, e.Dir)
}

// Digest is the digest of an archive as the lock and Helm indexes write it.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Archive returns the bytes of ref's archive after checking them against
// the lock. When the directory has no lock at all it is a plain folder of
// archives and nothing is checked; when it has one, an archive the lock
// does not list is refused, so every chart rendered from a pulled cache is
// a pinned one.
func (c *Cache) Archive(ref Ref) ([]byte, error) {
	p := filepath.Join(c.Dir, ref.File())
	data, err := input.ReadFile(p, input.Chart)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotCachedError{Ref: ref, Dir: c.Dir}
	}
	if err != nil {
		return nil, input.Named("chart archive", err)
	}
	lock, err := readLock(c.Dir)
	if err != nil {
		return nil, err
	}
	if lock == nil {
		if c.Warn != nil {
			c.warnOnce.Do(func() {
				c.Warn(fmt.Sprintf("%s has no %s: its chart archives are used without a digest check; lock them with milvusgen chart add %s", c.Dir, LockName, filepath.Join(c.Dir, "*.tgz")))
			})
		}
		return data, nil
	}
	e := lock.find(ref.Name, ref.Version)
	if e == nil {
		return nil, fmt.Errorf("chart %s: %s is not in %s; run milvusgen chart pull to record its digest", ref, p, LockName)
	}
	if got := Digest(data); got != e.Digest {
		return nil, &DigestError{Ref: ref, Path: p, Want: e.Digest, Got: got, By: "lock"}
	}
	return data, nil
}

// Digest returns the digest of ref's archive, checked against the lock like
// Archive. Hydrate keys its result cache by it.
func (c *Cache) Digest(ref Ref) (string, error) {
	data, err := c.Archive(ref)
	if err != nil {
		return "", err
	}
	return Digest(data), nil
}

// Load returns ref's chart, checked against the lock. Each call decodes the
// archive again: Helm's install prunes disabled subcharts from the chart it
// is given, so a decoded chart must not be shared between renders.
func (c *Cache) Load(ref Ref) (*helmchart.Chart, error) {
	data, err := c.Archive(ref)
	if err != nil {
		return nil, err
	}
	return decode(ref, filepath.Join(c.Dir, ref.File()), data)
}

// decode loads an archive and checks that it is the chart it claims to be.
func decode(ref Ref, src string, data []byte) (*helmchart.Chart, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("chart %s: %s is not a chart archive: %w", ref, src, err)
	}
	if md := ch.Metadata; md.Name != ref.Name || md.Version != ref.Version {
		return nil, fmt.Errorf("chart %s: %s holds chart %s@%s", ref, src, md.Name, md.Version)
	}
	return ch, nil
}

// Caches loads a chart from the first cache that holds it, e.g. the
// current charts, then the previous ones; the error is the first cache's.
type Caches []*Cache

// Load implements the hydrate package's Loader.
func (cs Caches) Load(ref Ref) (*helmchart.Chart, error) {
	var first error
	for _, c := range cs {
		ch, err := c.Load(ref)
		if err == nil {
			return ch, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}
