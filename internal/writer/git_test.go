package writer

import (
	"testing"

	git "github.com/go-git/go-git/v5"
)

func gitInit(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	return dir
}
