package diff

import (
	"strings"
	"testing"
)

// TestPlurals: issue 19 item 5. One flagged change reads "1 change needs
// attention", not "1 changes need attention"; two read the plural.
func TestPlurals(t *testing.T) {
	one := Change{Path: "a.yaml", Op: Changed, Flags: []Flag{{Category: Data, Reason: "bucket changes"}}}
	two := Change{Path: "b.yaml", Op: Changed, Flags: []Flag{{Category: Data, Reason: "root path changes"}}}
	for _, tc := range []struct {
		r         Report
		want, bad string
	}{
		{Report{Changes: []Change{one}, Unchanged: 1}, "1 change needs attention", "1 changes"},
		{Report{Changes: []Change{one, two}}, "2 changes need attention", "2 change needs"},
	} {
		var b strings.Builder
		if err := WriteMarkdown(&b, &tc.r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) || strings.Contains(b.String(), tc.bad) {
			t.Errorf("markdown lacks %q or holds %q:\n%s", tc.want, tc.bad, b.String())
		}
		b.Reset()
		if err := WriteFleetMarkdown(&b, FleetReport{{Env: "dev", Report: &tc.r}}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) || !strings.Contains(b.String(), "1 of 1 environment changed") {
			t.Errorf("fleet markdown lacks %q:\n%s", tc.want, b.String())
		}
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, &Report{Unchanged: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "(1 object or file compared)") {
		t.Errorf("no changes, one file: %s", b.String())
	}
}
