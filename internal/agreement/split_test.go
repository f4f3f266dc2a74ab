package agreement

import "testing"

// TestSplitYAML: separators a hand-edited file may hold still separate
// documents (bytes.Split on "\n---\n" missed all of these).
func TestSplitYAML(t *testing.T) {
	for name, in := range map[string]string{
		"plain":            "a: 1\n---\nb: 2\n",
		"leading":          "---\na: 1\n---\nb: 2\n",
		"trailing space":   "a: 1\n---   \nb: 2\n",
		"document comment": "a: 1\n--- # next\nb: 2\n",
		"crlf":             "a: 1\r\n---\r\nb: 2\r\n",
	} {
		docs, err := splitYAML([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(docs) != 2 {
			t.Errorf("%s: %d documents %q, want 2", name, len(docs), docs)
		}
	}
}
