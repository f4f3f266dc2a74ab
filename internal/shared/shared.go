// Package shared locates the project's read-only shared material (charts,
// CRDs, references) that sits at ../shared beside the repository root.
// Tests use it; the binary never does.
package shared

import (
	"fmt"
	"os"
	"path/filepath"
)

// Dir returns the absolute path of ../shared relative to the repository
// root (found by walking up to go.mod), or an error that says how to fix a
// missing checkout.
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err != nil || !fi.IsDir() {
				return "", fmt.Errorf("shared material not found at %s: tests need the project's shared/ folder (charts, CRDs) beside the repository checkout", s)
			}
			return s, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("repository root (go.mod) not found above %s", wd)
		}
	}
}

// Path joins elem onto the shared folder.
func Path(elem ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{d}, elem...)...), nil
}

// TB is the part of testing.TB that MustPath needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// MustPath is Path for tests: it fails the test with the fix when the
// shared folder is missing.
func MustPath(t TB, elem ...string) string {
	t.Helper()
	p, err := Path(elem...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}
