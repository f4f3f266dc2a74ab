// Command awsstub is the stand-in for aws and eksctl in tests of the
// rendered scripts (package awsstub): installed under either name, it acts
// as that tool.
package main

import (
	"os"
	"path/filepath"

	"github.com/milvusgen/milvusgen/internal/awsstub"
)

func main() {
	tool := os.Getenv("MILVUSGEN_STUB_TOOL")
	if tool == "" {
		tool = filepath.Base(os.Args[0])
	}
	os.Exit(awsstub.Main(tool, os.Args[1:], os.Stdout, os.Stderr))
}
