package chart

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// Added: a local archive was copied into the cache and locked (Add).
const Added Action = "added"

// KnownRepository is the Helm repository milvusgen installs a chart from,
// "" for a chart it does not know.
func KnownRepository(name string) string {
	switch name {
	case manifest.MilvusChart:
		return model.MilvusChartRepo
	case manifest.LBControllerChart:
		return model.LBControllerChartRepo
	}
	return ""
}

// Add puts chart archives already on disk into the cache and locks them,
// without any network access: for machines that cannot reach the charts'
// repositories, with archives copied from one that can. Each archive must
// be a chart milvusgen installs (its repository is then known; the lock
// records it as chart pull would); when the lock already pins that chart
// version, the archive must have the pinned digest. An archive already in
// the cache with the locked digest is reported Cached. Each file is handled
// on its own: the error joins every file's failure, and the others are
// added and locked regardless.
func (c *Cache) Add(paths []string) ([]Pulled, error) {
	lock, err := c.openLock()
	if err != nil {
		return nil, err
	}
	var (
		out     []Pulled
		entries []Locked
		errs    []error
	)
	for _, p := range paths {
		res, entry, err := c.add(lock, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, res)
		if entry != nil {
			entries = append(entries, *entry)
			lock.put(*entry)
		}
	}
	if len(entries) > 0 {
		if err := writeLock(c.Dir, entries); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

func (c *Cache) add(lock *Lock, src string) (Pulled, *Locked, error) {
	data, err := input.ReadFile(src, input.Chart)
	if err != nil {
		return Pulled{}, nil, input.Named("chart archive", err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return Pulled{}, nil, fmt.Errorf("%s is not a chart archive: %w", src, err)
	}
	name, version := ch.Metadata.Name, ch.Metadata.Version
	repoURL := KnownRepository(name)
	if repoURL == "" {
		return Pulled{}, nil, fmt.Errorf("%s holds chart %s@%s, which milvusgen does not install; want %s or %s", src, name, version, manifest.MilvusChart, manifest.LBControllerChart)
	}
	ref := Ref{Repository: repoURL, Name: name, Version: version}
	digest := Digest(data)
	dst := filepath.Join(c.Dir, ref.File())
	locked := lock.find(name, version)
	if locked != nil && locked.Digest != digest {
		return Pulled{}, nil, &DigestError{Ref: ref, Path: src, Want: locked.Digest, Got: digest, By: "lock"}
	}
	if locked != nil {
		if have, err := input.ReadFile(dst, input.Chart); err == nil && Digest(have) == digest {
			return Pulled{Ref: ref, Action: Cached, Digest: digest, Path: dst}, nil, nil
		}
	}
	if err := writeAtomic(dst, data); err != nil {
		return Pulled{}, nil, err
	}
	var entry *Locked
	if locked == nil || locked.Repository != repoURL {
		entry = &Locked{Ref: ref, Digest: digest}
	}
	return Pulled{Ref: ref, Action: Added, Digest: digest, Path: dst}, entry, nil
}

// ValidateMirror checks a --mirror value: the http(s) URL of a Helm
// repository, which serves an index.yaml (OCI registries do not).
//
// Credentials never go in the URL, neither as user information nor in a
// query string (?private_token=…): they would be echoed in messages and
// logs. The message shows the URL without them.
func ValidateMirror(s string) error {
	u, err := url.Parse(s)
	if err == nil && (u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "") {
		shown := *u
		shown.User, shown.RawQuery, shown.ForceQuery, shown.Fragment = nil, "", false, ""
		return fmt.Errorf("mirror %s must not carry credentials, a query string or a fragment; give the repository's plain URL and log in through the mirror's own means", shown.Redacted())
	}
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	return fmt.Errorf("mirror %q is not a Helm repository URL; want http(s)://HOST/PATH, e.g. https://charts.example.com/milvus", s)
}
