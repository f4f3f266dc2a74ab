package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// serverVersion asks Milvus its version through GetVersion. The proxy
// answers with MILVUS_GIT_BUILD_TAGS, which cmd/milvus sets from the build's
// tags ("v2.6.15"; newer builds: the release version, possibly without
// "v"); "" when the server has no GetVersion or reports nothing.
func serverVersion(ctx context.Context, c *client) (string, error) {
	res, err := c.svc.GetVersion(ctx, &milvuspb.GetVersionRequest{})
	if status.Code(err) == codes.Unimplemented {
		return "", nil
	}
	if err == nil {
		err = check(res.GetStatus())
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(res.GetVersion()), nil
}

// ParseVersion reads a Milvus version as --expect-version takes it:
// MAJOR.MINOR.PATCH with an optional "v" and pre-release (2.6.15,
// v2.6.15, 2.6.0-rc.1).
func ParseVersion(s string) (*semver.Version, error) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v"))
	if err != nil {
		return nil, fmt.Errorf("%q is not a Milvus version: want MAJOR.MINOR.PATCH, e.g. 2.6.15", s)
	}
	return v, nil
}

// checkVersion compares the version the server reports with the one
// expected. The server's build tags may carry a suffix after the version
// (git describe's "-3-gabc1234", "-dev"); the release is what must match:
// major, minor and patch, and the pre-release when one is expected.
func checkVersion(reported, wantText, from string) error {
	want, err := ParseVersion(wantText)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	if reported == "" {
		return fmt.Errorf("Milvus reports no version (GetVersion answered nothing), so it cannot be checked against %s %s", from, wantText)
	}
	got, err := semver.NewVersion(reported)
	if err != nil {
		return fmt.Errorf("Milvus reports version %q, which is not MAJOR.MINOR.PATCH; want %s from %s", reported, wantText, from)
	}
	same := got.Major() == want.Major() && got.Minor() == want.Minor() && got.Patch() == want.Patch()
	if same && want.Prerelease() != "" && !strings.HasPrefix(got.Prerelease(), want.Prerelease()) {
		same = false
	}
	if !same {
		return fmt.Errorf("Milvus reports version %s, but %s says %s: the proxy answering runs another release (is an upgrade still rolling out?)", reported, from, wantText)
	}
	return nil
}
