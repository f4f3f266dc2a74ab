package modeltest

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strings"
)

// Example is one line of examples/render.list: a committed output tree and
// the spec files (spec, then overlays) it is rendered from. Paths are
// relative to the repository root, as in the list.
type Example struct {
	// Name is the output tree's base name ("runbook").
	Name string
	// Out is the output tree ("out/runbook").
	Out string
	// Specs are the spec files in unification order.
	Specs []string
}

// Examples reads the rendered examples from list, the file `make render`
// and the tests share ("<output dir>: <spec file> [<overlay>...]" per line,
// # comments).
func Examples(list string) ([]Example, error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var exs []Example
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out, specs, ok := strings.Cut(line, ":")
		out = strings.TrimSpace(out)
		if !ok || out == "" || len(strings.Fields(specs)) == 0 {
			return nil, fmt.Errorf("%s:%d: want \"<output dir>: <spec file> [<overlay>...]\", got %q", list, n, line)
		}
		exs = append(exs, Example{Name: path.Base(out), Out: out, Specs: strings.Fields(specs)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s reading failed: %w", list, err)
	}
	return exs, nil
}
