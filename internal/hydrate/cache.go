package hydrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/input"
)

// EnvCacheDir overrides the directory of the default result cache; "off"
// keeps results in memory only.
const EnvCacheDir = "MILVUSGEN_HYDRATE_CACHE"

// DigestLoader is a Loader that also names the digest of a chart's
// archive. Only releases whose chart comes from one are cached: the digest,
// not the name and version, says which chart was rendered.
// *chart.Cache is one.
type DigestLoader interface {
	Loader
	Digest(chart.Ref) (string, error)
}

// Cache holds hydrated files by everything that decides their bytes: the
// chart archive's digest, the whole Input (values, release name and
// namespace, CRDs and hooks, the labels and annotations post-rendering
// adds, the origin named in the header), the Kubernetes version, the
// options, and the Helm SDK and milvusgen versions. A release
// whose key was seen is not templated again, within one process (fleet
// environments with equal inputs, or two releases in one call, share one
// render, even concurrently) and, when the cache has a directory, across
// runs.
//
// Entries are files named by the key's sha256, written to a temporary file
// and renamed into place, so a reader sees a whole entry or none. Each
// holds its own checksum; an entry that does not match it is ignored and
// written again. Nothing is ever deleted: entries are small, and the
// directory can be removed at any time.
type Cache struct {
	dir     string // "": memory only
	version string // milvusgen and Helm SDK versions, part of every key

	mu   sync.Mutex
	mem  map[string]*call
	apis map[string]*clusterAPIs // by what decides them (shared)
}

// call is one key's render, shared by everyone who asks for the key while
// or after it runs.
type call struct {
	done chan struct{}
	data []byte
	err  error
}

// NewCache returns a cache keeping entries in dir ("" for memory only).
// version names the code that renders: entries written by another version
// are never read.
func NewCache(dir, version string) *Cache {
	return &Cache{dir: dir, version: version, mem: map[string]*call{}}
}

// Dir is the directory entries are written to, "" when none.
func (c *Cache) Dir() string { return c.dir }

var defaultCache = sync.OnceValue(func() *Cache {
	v, stable := buildVersion()
	dir := ""
	// Test binaries keep the user's cache directory out of their results
	// (and their results out of it) unless a test points $EnvCacheDir
	// somewhere.
	if stable && (!testing.Testing() || os.Getenv(EnvCacheDir) != "") {
		dir, _ = DefaultCacheDir()
	}
	return NewCache(dir, v)
})

// DefaultCache is the process's shared cache, in DefaultCacheDir. A
// build that cannot name its own code keeps results in memory only: an
// entry written by it could be read back by different code of the same
// name.
func DefaultCache() *Cache { return defaultCache() }

// DefaultCacheDir is $EnvCacheDir ("" when it is "off"), or
// milvusgen/hydrated under the user's cache directory, next to the chart
// cache.
func DefaultCacheDir() (string, error) {
	switch d := os.Getenv(EnvCacheDir); d {
	case "off":
		return "", nil
	case "":
	default:
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "milvusgen", "hydrated"), nil
}

// buildVersion names the running code: milvusgen's module version or VCS
// revision, and the Helm SDK's version. stable is false when that name
// does not pin the code.
func buildVersion() (v string, stable bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown", false
	}
	helm := "helm unknown"
	for _, d := range bi.Deps {
		if d.Path == "helm.sh/helm/v3" {
			helm = "helm " + d.Version
			if d.Replace != nil {
				helm += " => " + d.Replace.Path + " " + d.Replace.Version
			}
		}
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	main := bi.Main.Version
	switch {
	case main != "" && main != "(devel)":
		return "milvusgen " + main + ", " + helm, true
	case rev != "" && modified != "true":
		return "milvusgen " + rev + ", " + helm, true
	}
	// A development build (modified work tree, or built without VCS
	// stamping): the executable itself names the code. Every build writes
	// a new file, so its entries are its own.
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			return fmt.Sprintf("milvusgen devel %s %d %d, %s", exe, fi.Size(), fi.ModTime().UnixNano(), helm), true
		}
	}
	return "milvusgen devel, " + helm, false
}

// key is the cache key of one release, or "" when it cannot be cached.
func (c *Cache) key(in Input, l Loader, kube string, apis *clusterAPIs, opts Options) (string, error) {
	dl, ok := l.(DigestLoader)
	if !ok {
		return "", nil
	}
	digest, err := dl.Digest(in.Chart)
	if err != nil {
		return "", err
	}
	apiKey, err := apis.keyPart(dl)
	if err != nil {
		return "", err
	}
	// encoding/json writes map keys sorted: equal inputs, equal bytes.
	k := struct {
		Format, Version string
		Digest          string
		Input           Input
		Kube            string
		APIVersions     any
		KeepChartLabels bool
	}{
		Format: "milvusgen hydrate cache 3", Version: c.version,
		Digest: digest, Input: in,
		Kube: kube, APIVersions: apiKey, KeepChartLabels: opts.KeepChartLabels,
	}
	data, err := json.Marshal(k)
	if err != nil {
		return "", fmt.Errorf("hydrate cache key: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// shared returns the clusterAPIs of an earlier Render with the same
// Kubernetes version, tree CRDs and releases, else a: concurrent fleet
// environments with equal inputs derive the list, and load each chart,
// once.
func (c *Cache) shared(a *clusterAPIs) *clusterAPIs {
	dl, ok := a.l.(DigestLoader)
	if !ok {
		return a
	}
	part, err := a.keyPart(dl)
	if err != nil {
		return a
	}
	data, err := json.Marshal(struct {
		Kube string
		Part any
	}{a.kube, part})
	if err != nil {
		return a
	}
	sum := sha256.Sum256(data)
	k := hex.EncodeToString(sum[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.apis == nil {
		c.apis = map[string]*clusterAPIs{}
	}
	if have, ok := c.apis[k]; ok {
		return have
	}
	c.apis[k] = a
	return a
}

// get returns the entry of key, calling render once to make it when no one
// has. Failures are not kept: the next get renders again.
func (c *Cache) get(key string, render func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if cl, ok := c.mem[key]; ok {
		c.mu.Unlock()
		<-cl.done
		if cl.err == nil {
			return cl.data, nil
		}
		return c.get(key, render)
	}
	cl := &call{done: make(chan struct{})}
	c.mem[key] = cl
	c.mu.Unlock()

	cl.data, cl.err = c.read(key)
	if cl.err != nil || cl.data == nil {
		cl.data, cl.err = render()
		if cl.err == nil {
			// A cache that cannot be written costs speed, never a render.
			_ = c.write(key, cl.data)
		}
	}
	if cl.err != nil {
		c.mu.Lock()
		delete(c.mem, key)
		c.mu.Unlock()
	}
	close(cl.done)
	return cl.data, cl.err
}

// entryMagic starts every entry, followed by the sha256 of the rest.
const entryMagic = "milvusgen-hydrate-entry sha256:"

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key[:2], key+".yaml") }

// read returns the entry on disk, or nil when there is none or it is
// damaged.
func (c *Cache) read(key string) ([]byte, error) {
	if c.dir == "" {
		return nil, nil
	}
	data, err := input.ReadFile(c.path(key), input.TreeFile)
	if err != nil {
		return nil, nil
	}
	head, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok || !bytes.HasPrefix(head, []byte(entryMagic)) {
		return nil, nil
	}
	sum := sha256.Sum256(body)
	if string(head[len(entryMagic):]) != hex.EncodeToString(sum[:]) {
		return nil, nil
	}
	return body, nil
}

// write stores an entry atomically: a temporary file renamed into place.
func (c *Cache) write(key string, data []byte) error {
	if c.dir == "" {
		return nil
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	_, err = fmt.Fprintf(f, "%s%s\n%s", entryMagic, hex.EncodeToString(sum[:]), data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return errors.Join(fmt.Errorf("hydrate cache %s write failed", p), err)
	}
	return nil
}
