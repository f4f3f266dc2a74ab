package gitrepo_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"

	"github.com/milvusgen/milvusgen/internal/gitrepo"
)

// withRemote points work's origin at u.
func withRemote(t *testing.T, work, u string) {
	t.Helper()
	r, err := git.PlainOpen(work)
	if err != nil {
		t.Fatal(err)
	}
	r.DeleteRemote("origin")
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{u}}); err != nil {
		t.Fatal(err)
	}
}

// TestPlainHTTPRefused: without the test hook, a push to a plain-HTTP
// remote with a credential (the token, a password in the URL, a
// credential helper's) is refused before any request: the loopback
// server counts none.
func TestPlainHTTPRefused(t *testing.T) {
	const token = "tok-plain-9d1e44" // #nosec: a test value
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	for name, setup := range map[string]func(t *testing.T, work string) string{
		"token": func(t *testing.T, work string) string {
			t.Setenv(gitrepo.EnvToken, token)
			return srv.URL + "/r.git"
		},
		"password in the URL": func(t *testing.T, work string) string {
			return strings.Replace(srv.URL, "http://", "http://bob:"+token+"@", 1) + "/r.git"
		},
		"credential helper": func(t *testing.T, work string) string {
			store := filepath.Join(t.TempDir(), "credentials")
			os.WriteFile(store, []byte(strings.Replace(srv.URL, "http://", "http://alice:"+token+"@", 1)+"\n"), 0o600)
			gitCmd(t, work, "config", "credential.helper", "store --file="+store)
			return srv.URL + "/r.git"
		},
	} {
		t.Run(name, func(t *testing.T) {
			isolateGit(t)
			work, _ := newRepos(t)
			withRemote(t, work, setup(t, work))
			files, subj := renderSpec(t, base)
			_, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Author: author})
			if err == nil || !strings.Contains(err.Error(), "plain http://") || !strings.Contains(err.Error(), "never sends credentials unencrypted") {
				t.Fatalf("push over plain HTTP with a credential = %v, want it refused", err)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the refusal shows the token: %v", err)
			}
			if n := requests.Load(); n != 0 {
				t.Fatalf("the plain-HTTP server received %d requests", n)
			}
		})
	}
}

// TestServerResponseMasked: a server that echoes the credential back in
// every form it sees (plain, URL-escaped, base64 of itself and of the
// Basic pair) and adds a terminal escape; the push error shows none of it.
func TestServerResponseMasked(t *testing.T) {
	isolateGit(t)
	const token = "tok+/masked=7c2f9a61e0" // #nosec: a test value; '+' and '/' differ between encodings
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("denied: " + auth + " token=" + token + " q=" + url.QueryEscape(token) +
			" b64=" + base64.StdEncoding.EncodeToString([]byte(token)) +
			" shifted=" + base64.StdEncoding.EncodeToString([]byte("xy"+token)) +
			" \x1b[31mred\x1b[0m"))
	}))
	defer srv.Close()
	gitrepo.AllowPlainHTTP(t)
	work, _ := newRepos(t)
	withRemote(t, work, srv.URL+"/r.git")
	t.Setenv(gitrepo.EnvToken, token)
	files, subj := renderSpec(t, base)
	_, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Author: author})
	if err == nil {
		t.Fatal("push to a refusing server succeeded")
	}
	assertMasked(t, err.Error(), "x-access-token", token)
}

func TestServerText(t *testing.T) {
	const user, token = "bot", "ghp_16C7e42F292c6912E7710c838347Ae178B4a" // #nosec: a made-up token
	var b strings.Builder
	b.WriteString("token " + token + " escaped " + url.QueryEscape(token) + " path " + url.PathEscape(token))
	for _, prefix := range []string{"", "a", "ab", "abc"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
			b.WriteString(" " + enc.EncodeToString([]byte(prefix+token+"\n")))
			b.WriteString(" " + enc.EncodeToString([]byte(prefix+user+":"+token)))
		}
	}
	b.WriteString(" \x1b]0;title\x07 " + strings.Repeat("x", 1000))
	got := gitrepo.ServerText(b.String(), user, token)
	assertMasked(t, got, user, token)
	if len(got) > 600 {
		t.Errorf("server text not clipped: %d bytes", len(got))
	}
	if got := gitrepo.ServerText("tokenizer ok", user, token); got != "tokenizer ok" {
		t.Errorf("ServerText changed harmless text: %q", got)
	}
}

// assertMasked: msg holds neither the token nor any encoding of it, nor
// a control character.
func assertMasked(t *testing.T, msg, user, token string) {
	t.Helper()
	forms := []string{token, url.QueryEscape(token), url.PathEscape(token)}
	for _, raw := range []string{token, user + ":" + token} {
		for shift := range 3 {
			enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), raw...))
			core := enc[(8*shift+5)/6 : 8*(shift+len(raw))/6]
			forms = append(forms, core, strings.NewReplacer("+", "-", "/", "_").Replace(core))
		}
	}
	for _, f := range forms {
		if strings.Contains(msg, f) {
			t.Errorf("message shows the credential as %q: %s", f, msg)
		}
	}
	if strings.ContainsAny(msg, "\x1b\x07") {
		t.Errorf("message holds control characters: %q", msg)
	}
}
