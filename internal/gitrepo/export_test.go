package gitrepo

import (
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// AllowPlainHTTP lets t push with credentials to a plain-HTTP test
// server: the explicit hook the tests use instead of any address rule.
func AllowPlainHTTP(t testing.TB) {
	plainHTTP = true
	t.Cleanup(func() { plainHTTP = false })
}

// ServerText exposes serverText for the masking test.
func ServerText(s, user, password string) string {
	return serverText(s, &credential{auth: &githttp.BasicAuth{Username: user, Password: password}})
}
