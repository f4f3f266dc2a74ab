package chart

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/milvusgen/milvusgen/internal/chart/charttest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/shared"
)

type helmRepo struct{ *charttest.Repo }

func serveCharts(t *testing.T) helmRepo { return helmRepo{charttest.Serve(t)} }

// refs are the runbook's charts, published in r.
func (r helmRepo) refs() []Ref {
	refs := Refs(modeltest.Runbook())
	for i := range refs {
		refs[i].Repository = r.URL
	}
	return refs
}

func actions(ps []Pulled) map[string]Action {
	m := map[string]Action{}
	for _, p := range ps {
		m[p.Ref.String()] = p.Action
	}
	return m
}

func TestRefs(t *testing.T) {
	got := Refs(modeltest.Runbook())
	want := []Ref{
		{Repository: model.LBControllerChartRepo, Name: "aws-load-balancer-controller", Version: "3.5.0"},
		{Repository: model.MilvusChartRepo, Name: "milvus", Version: "5.0.19"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Refs (-want +got):\n%s", diff)
	}
}

func TestPullThenRepullIsNoop(t *testing.T) {
	r := serveCharts(t)
	c := NewCache(filepath.Join(t.TempDir(), "charts"))
	got, err := c.Pull(r.refs(), DefaultPullOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Action{"aws-load-balancer-controller@3.5.0": Downloaded, "milvus@5.0.19": Downloaded}
	if diff := cmp.Diff(want, actions(got)); diff != "" {
		t.Errorf("first pull (-want +got):\n%s", diff)
	}
	// The lock pins what the repository's index publishes.
	idx, err := repo.LoadIndexFile(filepath.Join(r.Dir, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	lock, err := readLock(c.Dir)
	if err != nil || lock == nil {
		t.Fatalf("no lock after pull: %v", err)
	}
	for _, ref := range r.refs() {
		cv, err := idx.Get(ref.Name, ref.Version)
		if err != nil {
			t.Fatal(err)
		}
		e := lock.find(ref.Name, ref.Version)
		if e == nil || e.Digest != "sha256:"+cv.Digest || e.Repository != r.URL {
			t.Errorf("lock entry for %s = %+v, want digest sha256:%s from %s", ref, e, cv.Digest, r.URL)
		}
	}
	before, err := os.ReadFile(filepath.Join(c.Dir, LockName))
	if err != nil {
		t.Fatal(err)
	}

	r.Requests.Store(0)
	got, err = c.Pull(r.refs(), DefaultPullOptions())
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]Action{"aws-load-balancer-controller@3.5.0": Cached, "milvus@5.0.19": Cached}
	if diff := cmp.Diff(want, actions(got)); diff != "" {
		t.Errorf("second pull (-want +got):\n%s", diff)
	}
	if n := r.Requests.Load(); n != 0 {
		t.Errorf("second pull made %d requests, want none", n)
	}
	after, _ := os.ReadFile(filepath.Join(c.Dir, LockName))
	if string(before) != string(after) {
		t.Errorf("second pull rewrote the lock:\n%s\n---\n%s", before, after)
	}
}

func TestLoadOffline(t *testing.T) {
	r := serveCharts(t)
	c := NewCache(t.TempDir())
	if _, err := c.Pull(r.refs(), DefaultPullOptions()); err != nil {
		t.Fatal(err)
	}
	r.Close() // no network from here on
	for _, ref := range r.refs() {
		for range 2 { // every Load decodes a fresh chart
			ch, err := c.Load(ref)
			if err != nil {
				t.Fatalf("Load(%s) offline: %v", ref, err)
			}
			if ch.Metadata.Name != ref.Name || ch.Metadata.Version != ref.Version {
				t.Errorf("Load(%s) = %s@%s", ref, ch.Metadata.Name, ch.Metadata.Version)
			}
		}
	}
	// Pulling what is cached needs no server either.
	if _, err := c.Pull(r.refs(), DefaultPullOptions()); err != nil {
		t.Errorf("re-pull with the server gone: %v", err)
	}
}

func TestLoadPlainDirectory(t *testing.T) {
	// ../shared/charts has no lock: a folder of archives loads unchecked.
	c := NewCache(shared.MustPath(t, "charts"))
	for _, ref := range Refs(modeltest.Runbook()) {
		if _, err := c.Load(ref); err != nil {
			t.Errorf("Load(%s): %v", ref, err)
		}
	}
}

func TestTamperedArchiveFailsDigestCheck(t *testing.T) {
	r := serveCharts(t)
	c := NewCache(t.TempDir())
	if _, err := c.Pull(r.refs(), DefaultPullOptions()); err != nil {
		t.Fatal(err)
	}
	ref := r.refs()[1]
	path := filepath.Join(c.Dir, ref.File())
	// Replace the Milvus archive with another valid chart archive: only
	// the digest can tell.
	other, err := os.ReadFile(filepath.Join(c.Dir, r.refs()[0].File()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, other, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = c.Load(ref)
	var de *DigestError
	if !errors.As(err, &de) || de.By != "lock" || de.Path != path {
		t.Fatalf("Load of a tampered archive: err = %v, want a DigestError against the lock", err)
	}
	if !strings.Contains(err.Error(), "milvus@5.0.19") {
		t.Errorf("error does not name the chart: %v", err)
	}
	// Pull restores the archive from the repository, checked against the lock.
	got, err := c.Pull(r.refs(), DefaultPullOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(got)["milvus@5.0.19"]; a != Restored {
		t.Errorf("pull after tampering: %s, want %s", a, Restored)
	}
	if _, err := c.Load(ref); err != nil {
		t.Errorf("Load after restore: %v", err)
	}
}

func TestRepublishedVersionIsRefused(t *testing.T) {
	r := serveCharts(t)
	c := NewCache(t.TempDir())
	if _, err := c.Pull(r.refs(), DefaultPullOptions()); err != nil {
		t.Fatal(err)
	}
	// The lock pinned one archive; the repository now serves another
	// under the same version (its index updated to match).
	lockPath := filepath.Join(c.Dir, LockName)
	data, _ := os.ReadFile(lockPath)
	var l Lock
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	l.find("milvus", "5.0.19").Digest = "sha256:" + strings.Repeat("0", 64)
	data, _ = json.Marshal(l)
	if err := os.WriteFile(lockPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := c.Pull(r.refs(), DefaultPullOptions())
	var de *DigestError
	if !errors.As(err, &de) || de.By != "lock" || !strings.HasPrefix(de.Path, r.URL) {
		t.Fatalf("pull of a republished version: err = %v, want a DigestError against the lock for the download", err)
	}
}

func TestIndexDigestMismatch(t *testing.T) {
	r := serveCharts(t)
	idx, err := repo.LoadIndexFile(filepath.Join(r.Dir, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cv, _ := idx.Get("milvus", "5.0.19")
	cv.Digest = strings.Repeat("1", 64)
	if err := idx.WriteFile(filepath.Join(r.Dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewCache(t.TempDir())
	got, err := c.Pull(r.refs(), DefaultPullOptions())
	var de *DigestError
	if !errors.As(err, &de) || de.By != "index" {
		t.Fatalf("err = %v, want a DigestError against the index", err)
	}
	// The other chart was still pulled and locked.
	if a := actions(got); a["aws-load-balancer-controller@3.5.0"] != Downloaded || len(a) != 1 {
		t.Errorf("pulled %v, want only the LB controller", a)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "milvus-5.0.19.tgz")); err == nil {
		t.Errorf("an archive with the wrong digest was cached")
	}
}

func TestPullFromMirrorLocksOwnRepository(t *testing.T) {
	r := serveCharts(t)
	c := NewCache(t.TempDir())
	opts := DefaultPullOptions()
	opts.Mirror = r.URL
	refs := Refs(modeltest.Runbook())
	if _, err := c.Pull(refs, opts); err != nil {
		t.Fatal(err)
	}
	lock, _ := readLock(c.Dir)
	for _, ref := range refs {
		if e := lock.find(ref.Name, ref.Version); e == nil || e.Repository != ref.Repository {
			t.Errorf("lock entry %+v, want repository %s", e, ref.Repository)
		}
	}
}

func TestPullErrors(t *testing.T) {
	r := serveCharts(t)
	for _, tc := range []struct {
		name string
		ref  Ref
		want string
	}{
		{"unknown version", Ref{Repository: r.URL, Name: "milvus", Version: "9.9.9"}, "chart milvus@9.9.9: not published in repository " + r.URL},
		{"unknown chart", Ref{Repository: r.URL, Name: "nope", Version: "1.0.0"}, "chart nope@1.0.0: not published"},
		{"no repository", Ref{Repository: r.URL + "/missing/", Name: "milvus", Version: "5.0.19"}, "index fetch failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCache(t.TempDir()).Pull([]Ref{tc.ref}, DefaultPullOptions())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	ref := Ref{Name: "milvus", Version: "5.0.19"}
	dir := t.TempDir()
	_, err := NewCache(dir).Load(ref)
	var nc *NotCachedError
	if !errors.As(err, &nc) || !strings.Contains(err.Error(), "milvusgen chart pull") {
		t.Errorf("empty cache: err = %v, want a NotCachedError with the fix", err)
	}

	// An archive the lock does not list is refused.
	data, err := os.ReadFile(shared.MustPath(t, "charts", ref.File()))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ref.File()), data, 0o644)
	if err := writeLock(dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCache(dir).Load(ref); err == nil || !strings.Contains(err.Error(), "not in charts.lock.json") {
		t.Errorf("unlocked archive: err = %v", err)
	}

	// An archive that holds another chart is refused even without a lock.
	plain := t.TempDir()
	os.WriteFile(filepath.Join(plain, "milvus-5.0.18.tgz"), data, 0o644)
	if _, err := NewCache(plain).Load(Ref{Name: "milvus", Version: "5.0.18"}); err == nil || !strings.Contains(err.Error(), "holds chart milvus@5.0.19") {
		t.Errorf("mislabelled archive: err = %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDir, "/somewhere/charts")
	if d, err := DefaultDir(); err != nil || d != "/somewhere/charts" {
		t.Errorf("DefaultDir with %s set = %q, %v", EnvDir, d, err)
	}
	t.Setenv(EnvDir, "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	t.Setenv("HOME", "/home/u")
	if d, err := DefaultDir(); err != nil || !strings.HasSuffix(d, filepath.Join("milvusgen", "charts")) {
		t.Errorf("DefaultDir = %q, %v", d, err)
	}
}
