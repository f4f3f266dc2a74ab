// Package release builds milvusgen's release archives: for each platform a
// gzipped tar holding the binary, cross-compiled without cgo, with
// -trimpath and the release version stamped (internal/buildinfo), and
// LICENSE and README.md when the module has them; then SHA256SUMS, in the
// format of sha256sum(1), over every archive.
//
// The archives are reproducible: entries are sorted, owned by root with
// fixed modes, and dated by Options.Time (SOURCE_DATE_EPOCH in the
// Makefile), and gzip records no name or time. The CI workflow in
// examples/github downloads one and checks it against SHA256SUMS.
package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// VersionVar is the variable the release version is stamped into.
const VersionVar = "github.com/milvusgen/milvusgen/internal/buildinfo.release"

// SumsName is the checksum file beside the archives.
const SumsName = "SHA256SUMS"

// Dev is the version of a build that is not a release (buildinfo.Dev).
const Dev = "dev"

// Platform is a GOOS/GOARCH pair.
type Platform struct{ OS, Arch string }

func (p Platform) String() string { return p.OS + "/" + p.Arch }

// Platforms are the platforms a release is built for.
var Platforms = []Platform{{"darwin", "amd64"}, {"darwin", "arm64"}, {"linux", "amd64"}, {"linux", "arm64"}}

// ParsePlatforms reads a comma-separated list of GOOS/GOARCH pairs.
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	for _, f := range strings.Split(s, ",") {
		os, arch, ok := strings.Cut(strings.TrimSpace(f), "/")
		if !ok || os == "" || arch == "" {
			return nil, fmt.Errorf("platform %q: want GOOS/GOARCH, e.g. linux/amd64", f)
		}
		out = append(out, Platform{os, arch})
	}
	return out, nil
}

// Name is the base name of the archive for version and p, without
// extension; it is also the directory the archive's files are in.
func Name(version string, p Platform) string {
	return "milvusgen-" + version + "-" + p.OS + "-" + p.Arch
}

// ArchiveName is the archive's file name.
func ArchiveName(version string, p Platform) string { return Name(version, p) + ".tar.gz" }

var (
	semver = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	// describe matches what `git describe` adds to a tag for a commit
	// after it, or for a modified work tree.
	describe = regexp.MustCompile(`-([0-9]+)-g[0-9a-f]{7,}(-dirty)?$|-dirty$`)
)

// CheckVersion accepts a release version (vMAJOR.MINOR.PATCH with an
// optional pre-release) or Dev. It refuses what `git describe` gives for an
// untagged commit or a modified tree: the version is written into every
// rendered tree's manifest, and a revision there would make committed
// output stale with every commit.
func CheckVersion(v string) error {
	switch {
	case v == Dev:
		return nil
	case describe.MatchString(v):
		return fmt.Errorf("version %q is not a release: HEAD is not a clean checkout of a tag (git describe added the commits since the tag, or -dirty); tag the commit and build from a clean tree, or pass VERSION=vX.Y.Z (or VERSION=dev)", v)
	case !semver.MatchString(v):
		return fmt.Errorf("version %q: want vMAJOR.MINOR.PATCH with an optional -pre-release (e.g. v0.4.0, v0.5.0-rc.1), or %q", v, Dev)
	}
	return nil
}

// Options say what to build and where.
type Options struct {
	// Version is the release version; see CheckVersion.
	Version string
	// Module is the module's root directory (holding cmd/milvusgen).
	Module string
	// Dist is the directory the archives and SHA256SUMS are written to.
	Dist string
	// Platforms default to Platforms.
	Platforms []Platform
	// Go is the go command; default "go".
	Go string
	// Time dates the archives' entries; zero is the Unix epoch.
	Time time.Time
	// Log receives a line per archive; nil discards.
	Log io.Writer
}

// Extras are the files of the module root added to every archive when
// present.
var Extras = []string{"LICENSE", "README.md"}

// Build cross-compiles milvusgen for every platform and writes the
// archives and SHA256SUMS into Dist. Earlier archives of milvusgen and an
// earlier SHA256SUMS there are removed first, so SHA256SUMS lists exactly
// the archives of this release; nothing else in Dist is touched.
func Build(opts Options) error {
	if err := CheckVersion(opts.Version); err != nil {
		return err
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	if len(opts.Platforms) == 0 {
		opts.Platforms = Platforms
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if err := os.MkdirAll(opts.Dist, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(opts.Dist, "milvusgen-*.tar.gz"))
	if err != nil {
		return err
	}
	for _, f := range append(old, filepath.Join(opts.Dist, SumsName)) {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	var extras []File
	for _, name := range Extras {
		data, err := os.ReadFile(filepath.Join(opts.Module, name))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			return err
		}
		extras = append(extras, File{Name: name, Data: data, Mode: 0o644})
	}
	tmp, err := os.MkdirTemp("", "milvusgen-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var archives []string
	for _, p := range opts.Platforms {
		bin, err := compile(opts, p, tmp)
		if err != nil {
			return err
		}
		files := append([]File{{Name: "milvusgen", Data: bin, Mode: 0o755}}, extras...)
		name := ArchiveName(opts.Version, p)
		var buf bytes.Buffer
		if err := WriteArchive(&buf, Name(opts.Version, p), files, opts.Time); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(opts.Dist, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(opts.Log, "%s (%d bytes)\n", filepath.Join(opts.Dist, name), buf.Len())
		archives = append(archives, name)
	}
	return WriteSums(opts.Dist, archives)
}

// compile builds the binary for p and returns it.
func compile(opts Options, p Platform, tmp string) ([]byte, error) {
	out := filepath.Join(tmp, p.OS+"-"+p.Arch, "milvusgen")
	// -buildvcs=auto whatever GOFLAGS says, as make build: milvusgen
	// version then names the commit a release was built from.
	cmd := exec.Command(opts.Go, "build", "-trimpath", "-buildvcs=auto",
		"-ldflags", "-s -w -X "+VersionVar+"="+opts.Version,
		"-o", out, "./cmd/milvusgen")
	cmd.Dir = opts.Module
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("building milvusgen for %s failed: %v\n%s", p, err, stderr.Bytes())
	}
	return os.ReadFile(out)
}

// File is one file of an archive.
type File struct {
	Name string
	Data []byte
	Mode int64
}

// WriteArchive writes files as a gzipped tar under the directory dir,
// reproducibly: sorted by name, owned by root, dated t.
func WriteArchive(w io.Writer, dir string, files []File, t time.Time) error {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	t = t.UTC()
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	hdr := func(h *tar.Header) *tar.Header {
		h.ModTime, h.Uname, h.Gname, h.Format = t, "root", "root", tar.FormatPAX
		return h
	}
	if err := tw.WriteHeader(hdr(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755})); err != nil {
		return err
	}
	for _, f := range files {
		if err := tw.WriteHeader(hdr(&tar.Header{Typeflag: tar.TypeReg, Name: dir + "/" + f.Name, Mode: f.Mode, Size: int64(len(f.Data))})); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// WriteSums writes SHA256SUMS in dir for the named files of dir, sorted,
// one "<hex>  <name>" line each, as sha256sum(1) prints and checks them.
func WriteSums(dir string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		s := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(s[:]), n)
	}
	return os.WriteFile(filepath.Join(dir, SumsName), []byte(b.String()), 0o644)
}
