package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
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

// pushError explains a failed push without ever showing a credential.
func pushError(remote, branch string, cred *credential, err error) error {
	msg := fmt.Sprintf("git push %s %s failed: %v", remote, branch, redact(err.Error(), cred))
	if isAuthError(err) {
		if cred == nil {
			msg += fmt.Sprintf("; for an HTTPS remote, set %s (and %s if the server needs a user name) or configure a git credential helper (git config credential.helper); ssh:// remotes use the SSH agent", EnvToken, EnvUsername)
		} else {
			msg += fmt.Sprintf("; the credentials from %s were refused", cred.source)
		}
	}
	return errors.New(msg)
}

// redact removes the password, in plain and URL-escaped form, from s.
func redact(s string, cred *credential) string {
	if cred == nil || cred.auth.Password == "" {
		return s
	}
	for _, p := range []string{cred.auth.Password, url.QueryEscape(cred.auth.Password), url.PathEscape(cred.auth.Password)} {
		s = strings.ReplaceAll(s, p, "***")
	}
	return s
}
