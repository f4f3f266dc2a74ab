package awsstub

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
	buildOut  []byte
)

// Build compiles cmd/awsstub once per test process and returns the
// binary's path; tests install it as bin/aws and bin/eksctl. It skips the
// test when no go command is there to build it.
func Build(t testing.TB) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not installed: cannot build the aws and eksctl stand-ins")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "awsstub")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "awsstub")
		cmd := exec.Command(goCmd, "build", "-o", built, "github.com/milvusgen/milvusgen/internal/awsstub/cmd/awsstub")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building the aws stand-in: %v\n%s", buildErr, buildOut)
	}
	return built
}
