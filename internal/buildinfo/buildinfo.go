// Package buildinfo says which milvusgen this is: the release version
// (written into rendered trees) and, for `milvusgen version` only, the VCS
// revision it was built from and the versions of the libraries that decide
// its output.
//
// Everything comes from runtime/debug.ReadBuildInfo: `go install
// …/cmd/milvusgen@v1.2.3` stamps the module version, a build inside a Git
// work tree stamps the revision and whether the tree was modified. A
// release build may also set the version with
//
//	-ldflags "-X github.com/milvusgen/milvusgen/internal/buildinfo.release=v1.2.3"
package buildinfo

import (
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
)

// Dev is the version of a build that is not a release: a work tree build,
// a pseudo-version, or a tagged build of a modified tree.
const Dev = "dev"

// release is set with -ldflags -X by release builds; it wins over the
// module version.
var release string

// Module paths of the libraries whose versions change what milvusgen
// renders or accepts.
const (
	Helm   = "helm.sh/helm/v3"
	CUE    = "cuelang.org/go"
	Eksctl = "github.com/weaveworks/eksctl"
)

// Info is what the binary knows about its own build.
type Info struct {
	// Version is the release version, or Dev; see Version.
	Version string
	// Module is the main module's version as stamped, e.g.
	// "v1.2.3", "v0.0.0-20261201021000-7fef97b1a2b3+dirty" or "(devel)".
	Module string
	// Revision is the VCS revision, Time its commit time (RFC 3339) and
	// Modified whether the work tree had local changes; empty/false when
	// the build was not made in a work tree (go install, -buildvcs=false).
	Revision, Time string
	Modified       bool
	// Go is the Go version the binary was built with.
	Go string
	// Deps maps module paths to their versions (replacements applied).
	Deps map[string]string
}

var read = sync.OnceValue(func() Info {
	info := Info{Version: Dev, Deps: map[string]string{}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		info.Version = releaseVersion("")
		return info
	}
	info.Go = bi.GoVersion
	info.Module = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		info.Deps[d.Path] = d.Version
	}
	info.Version = releaseVersion(info.Module)
	return info
})

// Read returns the build's information, read once.
func Read() Info { return read() }

// Version is the release version of this build: the -ldflags version of a
// release build, else the module version when it names a release (a tag
// built clean), else Dev. It never holds a VCS revision, so output that
// records it does not change with every commit.
func Version() string { return read().Version }

// pseudo matches the tail of a Go pseudo-version, which holds a commit
// time and revision (v0.0.0-20261201021000-7fef97b1a2b3, v1.2.4-0.2026…).
var pseudo = regexp.MustCompile(`[-.][0-9]{14}-[0-9a-f]{12}$`)

func releaseVersion(module string) string {
	if release != "" {
		return release
	}
	v, build, _ := strings.Cut(module, "+")
	switch {
	case v == "", v == "(devel)", !strings.HasPrefix(v, "v"), pseudo.MatchString(v):
		return Dev
	case build != "" && build != "incompatible":
		return Dev // v1.2.3+dirty: not what v1.2.3 renders
	}
	return v
}

// EksctlChecked is the eksctl release whose types, defaulting and
// validation the tests hold the rendered ClusterConfig to. The binary does
// not link eksctl, so its build information cannot say; a test keeps this
// in step with go.mod.
const EksctlChecked = "v0.230.0"
