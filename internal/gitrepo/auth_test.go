package gitrepo_test

import (
	"bytes"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"

	"github.com/milvusgen/milvusgen/internal/gitrepo"
)

// gitServer serves the bare repositories in root over smart HTTP with
// git http-backend, requiring basic auth as user:password. It records the
// users that were refused.
type gitServer struct {
	*httptest.Server
	mu      sync.Mutex
	refused []string
}

func newGitServer(t *testing.T, root, user, password string) *gitServer {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed; git http-backend serves the test repository")
	}
	out, err := exec.Command(gitBin, "--exec-path").Output()
	if err != nil {
		t.Skipf("git --exec-path: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("no git http-backend: %v", err)
	}
	cgiHandler := &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + t.TempDir()},
	}
	s := &gitServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != password {
			if ok {
				s.mu.Lock()
				s.refused = append(s.refused, u)
				s.mu.Unlock()
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		// http-backend allows receive-pack for an authenticated user.
		h := *cgiHandler
		h.Env = append(append([]string(nil), cgiHandler.Env...), "REMOTE_USER="+u)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// httpRepos is newRepos with origin at the bare repository over HTTP.
func httpRepos(t *testing.T, user, password string) (work, bare string, srv *gitServer) {
	t.Helper()
	work, bare = newRepos(t)
	srv = newGitServer(t, filepath.Dir(bare), user, password)
	// httptest serves plain HTTP: credentials go there only through the
	// explicit test hook (TestPlainHTTPRefused runs without it).
	gitrepo.AllowPlainHTTP(t)
	r, err := git.PlainOpen(work)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteRemote("origin"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{srv.URL + "/" + filepath.Base(bare)}}); err != nil {
		t.Fatal(err)
	}
	return work, bare, srv
}

// isolateGit keeps the user's and the system's Git configuration (and
// their credential helpers) out of the test.
func isolateGit(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv(gitrepo.EnvToken, "")
	t.Setenv(gitrepo.EnvUsername, "")
}

func gitCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestPushHTTPSToken(t *testing.T) {
	isolateGit(t)
	const token = "tok-3f9a1c77e2" // #nosec: a test server's password
	work, bare, _ := httpRepos(t, "x-access-token", token)
	files, subj := renderSpec(t, base)

	t.Setenv(gitrepo.EnvToken, token)
	res, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Author: author})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed {
		t.Fatal("not pushed")
	}
	if got := commitFiles(t, bare, "main"); got["c/.milvusgen-manifest.json"] == "" {
		t.Errorf("the bare repository's main lacks the tree: %d files", len(got))
	}
	// Nothing milvusgen wrote into the repository holds the token.
	assertNoSecret(t, work, token)
}

func TestPushHTTPSTokenUsername(t *testing.T) {
	isolateGit(t)
	work, _, _ := httpRepos(t, "deploy-bot", "pw-81c2")
	files, subj := renderSpec(t, base)
	t.Setenv(gitrepo.EnvToken, "pw-81c2")
	t.Setenv(gitrepo.EnvUsername, "deploy-bot")
	if _, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Author: author}); err != nil {
		t.Fatal(err)
	}
}

func TestPushHTTPSCredentialHelper(t *testing.T) {
	isolateGit(t)
	work, bare, srv := httpRepos(t, "alice", "helper-pw-55d0")
	store := filepath.Join(t.TempDir(), "credentials")
	u := strings.Replace(srv.URL, "http://", "http://alice:helper-pw-55d0@", 1)
	if err := os.WriteFile(store, []byte(u+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, work, "config", "credential.helper", "store --file="+store)
	files, subj := renderSpec(t, base)
	res, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Author: author})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || len(commitFiles(t, bare, "main")) == 0 {
		t.Fatalf("not pushed: %+v", res)
	}
	assertNoSecret(t, work, "helper-pw-55d0")
}

func TestPushHTTPSRefused(t *testing.T) {
	isolateGit(t)
	const right, wrong = "right-7e1b", "wrong-0a4f"
	for _, tc := range []struct {
		name, token, want string
	}{
		{"no credentials", "", gitrepo.EnvToken + " (and " + gitrepo.EnvUsername},
		{"wrong token", wrong, "the credentials from $" + gitrepo.EnvToken + " were refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work, bare, srv := httpRepos(t, "x-access-token", right)
			files, subj := renderSpec(t, base)
			t.Setenv(gitrepo.EnvToken, tc.token)
			res, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Author: author})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), right) {
				t.Errorf("the error shows a credential: %v", err)
			}
			if res == nil || res.Commit == "" {
				t.Errorf("the commit must be made even when the push is refused: %+v", res)
			}
			if _, err := git.PlainOpen(bare); err != nil {
				t.Fatal(err)
			}
			if tc.token != "" && len(srv.refused) == 0 {
				t.Errorf("the server refused no one: the token was not sent")
			}
		})
	}
}

// assertNoSecret checks the work tree and its .git directory for secret.
func assertNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s holds the secret", p)
		}
		return nil
	})
}
