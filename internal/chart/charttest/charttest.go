// Package charttest serves the project's shared chart archives
// (../shared/charts) as a Helm repository on 127.0.0.1, for tests of chart
// pulling.
package charttest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"helm.sh/helm/v3/pkg/repo"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// Repo is a Helm repository served by httptest from copies of the shared
// charts, with an index.yaml built by Helm's repo.IndexDirectory.
type Repo struct {
	URL string
	// Dir holds the served archives and index.yaml; tests may change them
	// and call Reindex.
	Dir string
	// Requests counts the HTTP requests served.
	Requests atomic.Int64
	srv      *httptest.Server
}

// Serve starts the repository; it stops when the test ends.
func Serve(t testing.TB) *Repo {
	t.Helper()
	src := shared.MustPath(t, "charts")
	r := &Repo{Dir: t.TempDir()}
	archives, err := filepath.Glob(filepath.Join(src, "*.tgz"))
	if err != nil || len(archives) == 0 {
		t.Fatalf("no chart archives in %s: %v", src, err)
	}
	for _, a := range archives {
		data, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(r.Dir, filepath.Base(a)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := http.FileServer(http.Dir(r.Dir))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.Requests.Add(1)
		files.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	r.URL = r.srv.URL
	r.Reindex(t)
	return r
}

// Reindex rebuilds index.yaml from the archives in Dir.
func (r *Repo) Reindex(t testing.TB) {
	t.Helper()
	idx, err := repo.IndexDirectory(r.Dir, r.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(filepath.Join(r.Dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Close stops serving: later requests fail as if offline.
func (r *Repo) Close() { r.srv.Close() }
