package spec

import (
	"strings"
	"testing"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"
)

func loadFiles(t *testing.T, files ...string) (*Result, error) {
	t.Helper()
	var srcs []Source
	for i := 0; i < len(files); i += 2 {
		srcs = append(srcs, Source{Name: files[i], Data: []byte(files[i+1])})
	}
	return Load(srcs, Options{Today: today})
}

// layerBase is a YAML base holding defaults an environment overrides.
const layerBase = base + `milvus:
  messageQueue: woodpecker
  proxy: {replicas: 2}
  values:
    queryNode: {annotations: {example.com/team: search, example.com/tier: a}}
  service: {sourceRanges: [10.0.0.0/16, 10.1.0.0/16]}
`

// TestLayerLaterFileOverrides: issue 19 item 1. Data in a later file
// replaces the earlier file's, YAML and CUE alike; maps merge by key, lists
// are replaced whole, as Helm's -f does.
func TestLayerLaterFileOverrides(t *testing.T) {
	for _, overlay := range []struct{ name, text string }{
		{"env.yaml", "milvus:\n  messageQueue: kafka\n  proxy: {replicas: 3}\n  values: {queryNode: {annotations: {example.com/tier: b}}}\n  service: {sourceRanges: [10.2.0.0/16]}\n"},
		{"env.cue", "milvus: {\n\tmessageQueue: \"kafka\"\n\tproxy: replicas: 3\n\tvalues: queryNode: annotations: \"example.com/tier\": \"b\"\n\tservice: sourceRanges: [\"10.2.0.0/16\"]\n}\n"},
		{"env.json", `{"milvus": {"messageQueue": "kafka", "proxy": {"replicas": 3}, "values": {"queryNode": {"annotations": {"example.com/tier": "b"}}}, "service": {"sourceRanges": ["10.2.0.0/16"]}}}`},
	} {
		t.Run(overlay.name, func(t *testing.T) {
			res, err := loadFiles(t, "base.yaml", layerBase, overlay.name, overlay.text)
			if err != nil {
				t.Fatal(details(err))
			}
			m := res.Spec.Milvus
			if m.MessageQueue != "kafka" || *m.Proxy.Replicas != 3 {
				t.Errorf("messageQueue %q, proxy replicas %d; want the overlay's kafka and 3", m.MessageQueue, *m.Proxy.Replicas)
			}
			if d := cmp.Diff([]string{"10.2.0.0/16"}, m.Service.SourceRanges); d != "" {
				t.Errorf("lists are replaced whole (-want +got):\n%s", d)
			}
			sel := m.Values["queryNode"].(map[string]any)["annotations"]
			if d := cmp.Diff(map[string]any{"example.com/team": "search", "example.com/tier": "b"}, sel); d != "" {
				t.Errorf("maps merge by key (-want +got):\n%s", d)
			}
			// The value is positioned where the overlay wrote it.
			if p, _ := res.Pos("milvus.messageQueue"); p.Filename() != overlay.name {
				t.Errorf("messageQueue positioned at %s, want %s", p, overlay.name)
			}
			if p, _ := res.Pos("milvus.proxy.replicas"); p.Filename() != overlay.name {
				t.Errorf("replicas positioned at %s, want %s", p, overlay.name)
			}
			if p, _ := res.Pos("storage.bucket"); p.Filename() != "base.yaml" {
				t.Errorf("bucket positioned at %s, want base.yaml", p)
			}
		})
	}
}

// TestLayerOrder: the last file wins, three deep (base, environment,
// override), and a file that leaves a value out keeps the earlier one.
func TestLayerOrder(t *testing.T) {
	res, err := loadFiles(t, "base.yaml", layerBase,
		"prod.yaml", "milvus: {proxy: {replicas: 4}}\n",
		"hotfix.cue", "milvus: proxy: replicas: 5\n")
	if err != nil {
		t.Fatal(details(err))
	}
	if got := *res.Spec.Milvus.Proxy.Replicas; got != 5 {
		t.Errorf("proxy replicas = %d, want 5 from the last file", got)
	}
	if res.Spec.Milvus.MessageQueue != "woodpecker" {
		t.Errorf("messageQueue = %q, want the base's woodpecker", res.Spec.Milvus.MessageQueue)
	}
}

// TestLayerConstraintsHold: a constraint a file states (a bound, a
// disjunction) is not overridden by later data; the conflict names both
// files and lines and says what to do. The schema still applies.
func TestLayerConstraintsHold(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		want  []string
		pos   string
	}{
		{"bound then data",
			[]string{"base.yaml", layerBase, "policy.cue", "milvus: proxy: replicas: <=2\n", "env.yaml", "milvus: {proxy: {replicas: 3}}\n"},
			[]string{"milvus.proxy.replicas: 3 (env.yaml:1:28) is not allowed by <=2 (policy.cue:1:26)", "change the constraint in policy.cue"},
			"env.yaml:1:28"},
		{"data then a later bound",
			[]string{"base.yaml", layerBase, "policy.cue", "milvus: proxy: replicas: >=3\n"},
			[]string{"milvus.proxy.replicas: 2 (base.yaml:11:21) is not allowed by >=3 (policy.cue:1:26)"},
			"base.yaml:11:21"},
		{"disjunction",
			[]string{"base.yaml", layerBase, "policy.cue", "milvus: messageQueue: \"woodpecker\" | \"pulsar\"\n", "env.yaml", "milvus: {messageQueue: kafka}\n"},
			[]string{`milvus.messageQueue: "kafka" (env.yaml:1:24) is not allowed by "woodpecker" | "pulsar" (policy.cue:1:23)`},
			"env.yaml:1:24"},
		{"two constraints",
			[]string{"a.cue", base2cue + "milvus: proxy: replicas: >=5\n", "b.cue", "milvus: proxy: replicas: <=2\n"},
			[]string{"milvus.proxy.replicas: >=5 (a.cue:5:26) and <=2 (b.cue:1:26) cannot all hold at once", "change one of them"},
			"b.cue:1:26"},
		{"the schema applies to the result",
			[]string{"base.yaml", layerBase, "env.yaml", "milvus: {messageQueue: nats}\n"},
			[]string{"milvus.messageQueue: must be one of"},
			"env.yaml:1:24"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadFiles(t, tc.files...)
			if err == nil {
				t.Fatal("loaded, want a conflict")
			}
			got := details(err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("error lacks %q:\n%s", w, got)
				}
			}
			if !strings.Contains(got, " "+tc.pos+"\n") && !strings.Contains(got, "/"+tc.pos+"\n") {
				t.Errorf("error is not positioned at %s:\n%s", tc.pos, got)
			}
			if n := len(errors.Errors(err)); n != 1 {
				t.Errorf("%d messages for one problem:\n%s", n, got)
			}
			for _, bad := range []string{"_|_", "conflicting values", "empty disjunction"} {
				if strings.Contains(got, bad) {
					t.Errorf("error shows CUE internals (%q):\n%s", bad, got)
				}
			}
		})
	}
}

// base2cue is base in CUE.
const base2cue = `name: "milvus-demo"
aws: {region: "us-east-2", accountID: "123456789012"}
cluster: name: "milvus-eks-cluster"
storage: bucket: "milvus-bucket-039dd013c0712f085d60e21f"
`

// TestLayerDefaultsInCUE: a CUE default (the earlier workaround) still
// yields to a later file's value, and applies when none is given.
func TestLayerDefaultsInCUE(t *testing.T) {
	def := base2cue + "milvus: messageQueue: *\"woodpecker\" | _\n"
	res, err := loadFiles(t, "base.cue", def, "env.yaml", "milvus: {messageQueue: kafka}\n")
	if err != nil {
		t.Fatal(details(err))
	}
	if res.Spec.Milvus.MessageQueue != "kafka" {
		t.Errorf("messageQueue = %q, want kafka", res.Spec.Milvus.MessageQueue)
	}
	res, err = loadFiles(t, "base.cue", def, "env.yaml", "milvus: {proxy: {replicas: 3}}\n")
	if err != nil {
		t.Fatal(details(err))
	}
	if res.Spec.Milvus.MessageQueue != "woodpecker" {
		t.Errorf("messageQueue = %q, want the default woodpecker", res.Spec.Milvus.MessageQueue)
	}
}

// TestLayerKeepsFileErrors: an error inside one file is not hidden by a
// later file's value at the same place.
func TestLayerKeepsFileErrors(t *testing.T) {
	_, err := loadFiles(t, "base.cue", base2cue+"milvus: proxy: replicas: 1 & 2\n", "env.yaml", "milvus: {proxy: {replicas: 3}}\n")
	if err == nil {
		t.Fatal("loaded a file that contradicts itself")
	}
}
