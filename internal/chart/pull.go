package chart

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"github.com/milvusgen/milvusgen/internal/input"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/repo"
)

// Action says what Pull did for one chart.
type Action string

// Actions of a Pulled.
const (
	// Cached: the archive was there with the locked digest; nothing was fetched.
	Cached Action = "cached"
	// Downloaded: fetched for the first time and recorded in the lock.
	Downloaded Action = "downloaded"
	// Restored: the lock knew the chart but the archive was missing or
	// damaged; it was fetched again and matched the locked digest.
	Restored Action = "restored"
)

// Pulled is the outcome of Pull for one chart.
type Pulled struct {
	Ref    Ref
	Action Action
	Digest string
	Path   string
}

// PullOptions tune Pull.
type PullOptions struct {
	// Mirror, when set, is the Helm repository every chart is fetched from
	// instead of its own (an internal mirror, or a test server). The lock
	// still records the chart's own repository, and a mirrored archive must
	// have the digest the lock pins.
	Mirror string
	// Getters fetch index files and archives; nil means Helm's built-in
	// http(s) and OCI getters, without plugins.
	Getters getter.Providers
}

// DefaultPullOptions fetch every chart from its own repository with Helm's
// built-in getters.
func DefaultPullOptions() PullOptions { return PullOptions{Getters: getter.Getters()} }

// Pull makes the cache hold every chart of refs with a locked digest. A
// chart already cached with the locked digest costs no network access at
// all, so a second Pull is a no-op. Charts are fetched through their
// repository's index.yaml (Helm SDK repo and getter packages); a download
// must match the digest the index publishes and, when the lock already
// pins one, the locked digest too. Each chart is handled on its own: the
// returned error joins every chart's failure, and the charts that
// succeeded are cached and locked regardless.
func (c *Cache) Pull(refs []Ref, opts PullOptions) ([]Pulled, error) {
	if opts.Getters == nil {
		opts.Getters = getter.Getters()
	}
	if opts.Mirror != "" {
		if err := ValidateMirror(opts.Mirror); err != nil {
			return nil, err
		}
	}
	lock, err := c.openLock()
	if err != nil {
		return nil, err
	}
	p := puller{opts: opts, indexes: map[string]*repo.IndexFile{}}
	var (
		out     []Pulled
		entries []Locked
		errs    []error
	)
	for _, ref := range refs {
		res, entry, err := p.pull(c, lock, ref)
		if err != nil {
			errs = append(errs, offlineHint(err, ref))
			continue
		}
		out = append(out, res)
		if entry != nil {
			entries = append(entries, *entry)
		}
	}
	if len(entries) > 0 {
		if err := writeLock(c.Dir, entries); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

type puller struct {
	opts    PullOptions
	indexes map[string]*repo.IndexFile // by repository URL, fetched once per Pull
}

// pull handles one chart; entry is the lock entry to record, nil when the
// lock is already right.
func (p *puller) pull(c *Cache, lock *Lock, ref Ref) (Pulled, *Locked, error) {
	path := filepath.Join(c.Dir, ref.File())
	locked := lock.find(ref.Name, ref.Version)
	if locked != nil {
		if data, err := input.ReadFile(path, input.Chart); err == nil && Digest(data) == locked.Digest {
			return Pulled{Ref: ref, Action: Cached, Digest: locked.Digest, Path: path}, nil, nil
		}
	}
	data, src, err := p.fetch(ref)
	if err != nil {
		return Pulled{}, nil, err
	}
	digest := Digest(data)
	action := Downloaded
	if locked != nil {
		if digest != locked.Digest {
			return Pulled{}, nil, &DigestError{Ref: ref, Path: src, Want: locked.Digest, Got: digest, By: "lock"}
		}
		action = Restored
	}
	if _, err := decode(ref, src, data); err != nil {
		return Pulled{}, nil, err
	}
	if err := writeAtomic(path, data); err != nil {
		return Pulled{}, nil, err
	}
	entry := &Locked{Ref: ref, Digest: digest}
	if locked != nil && locked.Repository == ref.Repository {
		entry = nil
	}
	return Pulled{Ref: ref, Action: action, Digest: digest, Path: path}, entry, nil
}

// fetch downloads ref's archive through its repository's index and checks
// it against the digest the index publishes. src is the archive's URL.
func (p *puller) fetch(ref Ref) (data []byte, src string, err error) {
	repoURL := ref.Repository
	if p.opts.Mirror != "" {
		repoURL = p.opts.Mirror
	}
	idx, err := p.index(repoURL)
	if err != nil {
		return nil, "", fmt.Errorf("chart %s: repository %s index fetch failed: %w", ref, repoURL, err)
	}
	cv, err := idx.Get(ref.Name, ref.Version)
	if err != nil || cv.Version != ref.Version {
		// Get also matches ranges; only the exact pinned version will do.
		return nil, "", fmt.Errorf("chart %s: not published in repository %s", ref, repoURL)
	}
	if len(cv.URLs) == 0 {
		return nil, "", fmt.Errorf("chart %s: repository %s lists no download URL", ref, repoURL)
	}
	src, err = repo.ResolveReferenceURL(repoURL, cv.URLs[0])
	if err != nil {
		return nil, "", fmt.Errorf("chart %s: download URL %q: %w", ref, cv.URLs[0], err)
	}
	u, err := url.Parse(src)
	if err != nil {
		return nil, "", fmt.Errorf("chart %s: download URL %q: %w", ref, src, err)
	}
	g, err := p.opts.Getters.ByScheme(u.Scheme)
	if err != nil {
		return nil, "", fmt.Errorf("chart %s: %s: %w", ref, src, err)
	}
	buf, err := g.Get(src, getter.WithURL(repoURL), getter.WithAcceptHeader("application/gzip,application/octet-stream"))
	if err != nil {
		return nil, "", fmt.Errorf("chart %s: download of %s failed: %w", ref, src, err)
	}
	data = buf.Bytes()
	if cv.Digest != "" {
		if want, got := "sha256:"+cv.Digest, Digest(data); want != got {
			return nil, "", &DigestError{Ref: ref, Path: src, Want: want, Got: got, By: "index"}
		}
	}
	return data, src, nil
}

// index fetches a repository's index.yaml once per Pull. Helm's
// ChartRepository writes the index into a cache directory before parsing
// it; a temporary one keeps Helm's own cache (~/.cache/helm) untouched.
func (p *puller) index(repoURL string) (*repo.IndexFile, error) {
	if idx, ok := p.indexes[repoURL]; ok {
		return idx, nil
	}
	tmp, err := os.MkdirTemp("", "milvusgen-index-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cr, err := repo.NewChartRepository(&repo.Entry{Name: "milvusgen", URL: repoURL}, p.opts.Getters)
	if err != nil {
		return nil, err
	}
	cr.CachePath = tmp
	path, err := cr.DownloadIndexFile()
	if err != nil {
		return nil, err
	}
	idx, err := repo.LoadIndexFile(path)
	if err != nil {
		return nil, err
	}
	p.indexes[repoURL] = idx
	return idx, nil
}

// offlineHint adds the way around a network failure: fetch the archive
// where the network reaches (helm pull) and lock it with chart add, which
// never touches the network.
func offlineHint(err error, ref Ref) error {
	var ne net.Error
	if !errors.As(err, &ne) {
		return err
	}
	return fmt.Errorf("%w\n  offline? fetch the archive where the repository is reachable (helm pull %s --repo %s --version %s), then lock it here: milvusgen chart add %s",
		err, ref.Name, ref.Repository, ref.Version, ref.File())
}
