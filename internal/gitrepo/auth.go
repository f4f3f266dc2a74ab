package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Environment variables that carry HTTPS credentials for a push. The token
// is read from the environment only: never from a flag (which would show in
// the process list and shell history) and never printed.
const (
	EnvToken    = "MILVUSGEN_GIT_TOKEN"
	EnvUsername = "MILVUSGEN_GIT_USERNAME"
)

// tokenUser is the user name sent with a token when none is given: GitHub
// takes any name with a token, GitLab and Gitea too.
const tokenUser = "x-access-token"

// credential is an HTTPS user name and password and where they came from.
type credential struct {
	auth   *githttp.BasicAuth
	source string // for messages: "$MILVUSGEN_GIT_TOKEN" or "git credential helper"
	// helper is the `git credential` input that found it, so that the
	// helper can be told whether it worked (approve / reject).
	helper string
	dir    string
}

// httpCredential finds the credentials for pushing to an http(s) remote:
// $EnvToken (with $EnvUsername, the URL's user name or tokenUser), else the
// user's git credential helpers through `git credential fill`. No
// credential (nil) lets public repositories and servers that need none
// work. For ssh remotes it returns nil too: go-git then asks the SSH agent.
func httpCredential(repo *git.Repository, remote, dir string) (*credential, error) {
	r, err := repo.Remote(remote)
	if err != nil || len(r.Config().URLs) == 0 {
		return nil, nil // the push reports the missing remote
	}
	ep, err := transport.NewEndpoint(r.Config().URLs[0])
	if err != nil || (ep.Protocol != "http" && ep.Protocol != "https") {
		return nil, nil
	}
	// A credential never goes over plain HTTP, where anyone on the path
	// reads it: the push is refused before any request is made.
	if ep.Protocol == "http" && !plainHTTP {
		clear := ""
		switch {
		case ep.Password != "":
			clear = "the remote's URL carries a password"
		case os.Getenv(EnvToken) != "":
			clear = "$" + EnvToken + " is set"
		}
		if clear != "" {
			return nil, fmt.Errorf("git push %s: the remote is plain http:// and %s; milvusgen never sends credentials unencrypted: use the https:// (or ssh://) URL of the repository", remote, clear)
		}
	}
	if tok := os.Getenv(EnvToken); tok != "" {
		user := os.Getenv(EnvUsername)
		if user == "" {
			user = ep.User
		}
		if user == "" {
			user = tokenUser
		}
		return &credential{auth: &githttp.BasicAuth{Username: user, Password: tok}, source: "$" + EnvToken}, nil
	}
	if ep.Password != "" {
		// The URL carries its own; go-git uses it.
		return nil, nil
	}
	host := ep.Host
	if ep.Port != 0 && !(ep.Protocol == "https" && ep.Port == 443) && !(ep.Protocol == "http" && ep.Port == 80) {
		host = fmt.Sprintf("%s:%d", ep.Host, ep.Port)
	}
	in := fmt.Sprintf("protocol=%s\nhost=%s\npath=%s\n", ep.Protocol, host, strings.TrimPrefix(ep.Path, "/"))
	if ep.User != "" {
		in += "username=" + ep.User + "\n"
	}
	out, err := gitCredential(dir, "fill", in)
	if err != nil {
		// No git, no helper, or a helper that found nothing: try without.
		return nil, nil
	}
	if ep.Protocol == "http" && !plainHTTP {
		// The helper had a credential for a plain-HTTP host: not sent.
		return nil, fmt.Errorf("git push %s: the remote is plain http:// and a git credential helper holds a credential for it; milvusgen never sends credentials unencrypted: use the https:// (or ssh://) URL of the repository", remote)
	}
	c := &credential{auth: &githttp.BasicAuth{}, source: "git credential helper", helper: out, dir: dir}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "username":
			c.auth.Username = v
		case "password":
			c.auth.Password = v
		}
	}
	if c.auth.Password == "" {
		return nil, nil
	}
	return c, nil
}

// report tells the credential helper whether its credential worked, as git
// itself does after a request: approve stores it, reject erases it.
func (c *credential) report(pushErr error) {
	if c == nil || c.helper == "" {
		return
	}
	switch {
	case pushErr == nil || errors.Is(pushErr, git.NoErrAlreadyUpToDate):
		gitCredential(c.dir, "approve", c.helper)
	case isAuthError(pushErr):
		gitCredential(c.dir, "reject", c.helper)
	}
}

func isAuthError(err error) bool {
	return errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed)
}

// gitCredential runs `git credential <op>` in dir with input on stdin. It
// never prompts: milvusgen runs in CI as often as at a terminal, and a
// prompt there would hang.
func gitCredential(dir, op, input string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "credential", op)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "GIT_ASKPASS=", "SSH_ASKPASS=")
	cmd.Stdin = strings.NewReader(input + "\n")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err := cmd.Run() // stderr (a helper's complaints) is dropped: it may echo input
	return stdout.String(), err
}

// pushError explains a failed push without ever showing a credential: the
// error may quote the server's response, which is masked and cleaned of
// control characters before it is shown.
func pushError(remote, branch string, cred *credential, err error) error {
	msg := fmt.Sprintf("git push %s %s failed: %v", remote, branch, serverText(err.Error(), cred))
	if isAuthError(err) {
		if cred == nil {
			msg += fmt.Sprintf("; for an HTTPS remote, set %s (and %s if the server needs a user name) or configure a git credential helper (git config credential.helper); ssh:// remotes use the SSH agent", EnvToken, EnvUsername)
		} else {
			msg += fmt.Sprintf("; the credentials from %s were refused", cred.source)
		}
	}
	return errors.New(msg)
}

// plainHTTP lets the tests push to a plain-HTTP server with credentials
// (export_test.go); nothing else sets it.
var plainHTTP = false

// maxServerText bounds what a message quotes of a server's response.
const maxServerText = 512

// serverText is text from a server (or an error quoting it) made safe to
// print: the credential masked in every form it can take on the wire or
// in a log (plain, URL-escaped, base64 of itself and of the Basic
// "user:password"), control characters (terminal escapes) replaced, and
// the whole clipped.
func serverText(s string, cred *credential) string {
	s = redact(s, cred)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || (r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0)) {
			return r
		}
		return '?'
	}, s)
	if len(s) > maxServerText {
		s = s[:maxServerText] + "…"
	}
	return s
}

// redact masks the password in every form it may appear in: plain,
// URL-escaped, and base64 (standard and URL alphabets, padded or not) of
// the password alone and of the Basic "user:password" pair. CI log
// masking matches only the plain form.
func redact(s string, cred *credential) string {
	if cred == nil || cred.auth.Password == "" {
		return s
	}
	for _, p := range secretForms(cred.auth.Username, cred.auth.Password) {
		s = strings.ReplaceAll(s, p, "***")
	}
	return s
}

func secretForms(user, password string) []string {
	forms := []string{password, url.QueryEscape(password), url.PathEscape(password)}
	// base64 of the password wherever it starts in the encoded text (its
	// offset modulo 3 decides the characters), in both alphabets: the
	// characters that depend on the password alone.
	for _, raw := range []string{password, user + ":" + password} {
		for shift := range 3 {
			enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), raw...))
			from, to := (8*shift+5)/6, 8*(shift+len(raw))/6
			if to-from < 8 {
				continue // too short to mask without hiding other text
			}
			core := enc[from:to]
			forms = append(forms, core, strings.NewReplacer("+", "-", "/", "_").Replace(core))
		}
	}
	// Longest first, so a form that contains another is masked whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}
