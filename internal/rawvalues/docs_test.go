package rawvalues

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListTheTables: docs/security.md names every allowlist entry, so
// the documented rules cannot drift from the tables.
func TestDocsListTheTables(t *testing.T) {
	b, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, e := range valuesAllowed {
		p := e.path
		// Pulsar's five components are written once, as <zookeeper, …>.
		if strings.HasPrefix(p, "pulsarv3.") && !strings.HasPrefix(p, "pulsarv3.images.imagePullSecrets") {
			parts := strings.Split(p, ".")
			p = parts[len(parts)-1]
		}
		if !strings.Contains(doc, "`"+p+"`") && !strings.Contains(doc, "."+p+"`") {
			t.Errorf("docs/security.md does not name %s", e.path)
		}
	}
	for _, a := range configAllowed {
		if !strings.Contains(doc, "`"+a.path+"`") {
			t.Errorf("docs/security.md does not name config section %s", a.path)
		}
	}
	for name := range runtimeEnv {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("docs/security.md does not name %s", name)
		}
	}
}
