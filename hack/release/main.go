// Command release builds milvusgen's release archives and SHA256SUMS into
// a directory; `make release` runs it (see internal/release).
//
//	go run ./hack/release -version v0.4.0 -dist dist [-platforms linux/amd64,...] [-mtime UNIX]
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/milvusgen/milvusgen/internal/release"
)

func main() {
	var (
		opts      = release.Options{Module: ".", Log: os.Stdout}
		platforms string
		mtime     string
	)
	flag.StringVar(&opts.Version, "version", "", "release version: vX.Y.Z[-pre] or dev (required)")
	flag.StringVar(&opts.Dist, "dist", "dist", "output directory")
	flag.StringVar(&platforms, "platforms", "", "comma-separated GOOS/GOARCH list (default: every release platform)")
	flag.StringVar(&opts.Go, "go", "go", "go command")
	flag.StringVar(&mtime, "mtime", "", "Unix time dating the archive entries (default $SOURCE_DATE_EPOCH, else 0)")
	flag.Parse()
	if flag.NArg() > 0 || opts.Version == "" {
		fmt.Fprintln(os.Stderr, "usage: release -version vX.Y.Z [-dist DIR] [-platforms GOOS/GOARCH,...] [-go GO] [-mtime UNIX]")
		os.Exit(2)
	}
	if platforms != "" {
		ps, err := release.ParsePlatforms(platforms)
		if err != nil {
			fail(err)
		}
		opts.Platforms = ps
	}
	if mtime == "" {
		mtime = os.Getenv("SOURCE_DATE_EPOCH")
	}
	if mtime = strings.TrimSpace(mtime); mtime != "" {
		s, err := strconv.ParseInt(mtime, 10, 64)
		if err != nil {
			fail(fmt.Errorf("-mtime %q: want Unix seconds", mtime))
		}
		opts.Time = time.Unix(s, 0)
	}
	if err := release.Build(opts); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "release:", err)
	os.Exit(1)
}
