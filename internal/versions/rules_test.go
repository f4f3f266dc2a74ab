package versions_test

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/versions"
)

// TestCheck is the table of upgrade rules: every refusal names the spec
// field and the path to take.
func TestCheck(t *testing.T) {
	st := func(chart, milvus, co, mq string) versions.State {
		return versions.State{Chart: chart, Milvus: milvus, Coordinators: co, MessageQueue: mq}
	}
	const mix, sep = "mixCoordinator", "separate"
	cases := map[string]struct {
		from, to versions.State
		want     []string // "path: reason substring … fix substring"
	}{
		"no version change":          {st("5.0.19", "2.6.15", mix, "pulsar"), st("5.0.19", "2.6.15", mix, "kafka"), nil},
		"patch within 2.5":           {st("4.2.37", "2.5.4", mix, "pulsar"), st("4.2.58", "2.5.16", mix, "pulsar"), nil},
		"patch within 2.5, separate": {st("4.2.37", "2.5.4", sep, "pulsar"), st("4.2.58", "2.5.16", sep, "pulsar"), nil},
		"stepping stone to 2.6":      {st("4.2.58", "2.5.16", mix, "pulsar"), st("5.0.19", "2.6.15", mix, "pulsar"), nil},
		"later 2.5 to 2.6":           {st("4.2.58", "2.5.20", mix, "kafka"), st("5.0.19", "2.6.16", mix, "kafka"), nil},
		"patch within 2.6":           {st("5.0.19", "2.6.15", mix, "woodpecker"), st("5.0.19", "2.6.16", mix, "woodpecker"), nil},
		"2.6 from below 2.5.16": {st("4.2.37", "2.5.4", mix, "pulsar"), st("5.0.19", "2.6.15", mix, "pulsar"),
			[]string{"milvus.version: 2.6 is reached only from 2.5.16 or later … upgrade to 2.5.16 first (chart 4.2.58)"}},
		"2.6 without mixCoordinator": {st("4.2.58", "2.5.16", sep, "pulsar"), st("5.0.19", "2.6.15", mix, "pulsar"),
			[]string{"milvus.coordinators: runs separate coordinators … set milvus.coordinators: \"mixCoordinator\" on 2.5.16 first"}},
		"queue change with a version": {st("4.2.37", "2.5.4", mix, "pulsar"), st("4.2.58", "2.5.16", mix, "kafka"),
			[]string{"milvus.messageQueue: the message queue changes (pulsar → kafka) … keep messageQueue: \"pulsar\""}},
		"queue change to woodpecker on the 2.6 move": {st("4.2.58", "2.5.16", mix, "pulsar"), st("5.0.19", "2.6.15", mix, "woodpecker"),
			[]string{"milvus.messageQueue: (pulsar → woodpecker) … milvus-io/milvus#42798"}},
		"downgrade within 2.6": {st("5.0.19", "2.6.16", mix, "pulsar"), st("5.0.19", "2.6.15", mix, "pulsar"),
			[]string{"milvus.version: Milvus 2.6.16 → 2.6.15 is a downgrade … restore a backup taken on 2.6.15"}},
		"downgrade to 2.5": {st("5.0.19", "2.6.15", mix, "pulsar"), st("4.2.58", "2.5.16", mix, "pulsar"),
			[]string{"milvus.version: is a downgrade … keep 2.6.15"}},
		"jump past the stone from 2.4": {st("4.1.0", "2.4.5", mix, "pulsar"), st("5.0.19", "2.6.15", mix, "pulsar"),
			[]string{"milvus.version: jumps past the stepping stone 2.5.16 … upgrade to 2.5.16 first (chart 4.2.58)"}},
		"in-cluster to external kafka with a version": {st("4.2.58", "2.5.16", mix, "kafka"), st("5.0.19", "2.6.15", mix, "externalKafka"),
			[]string{"milvus.messageQueue: the message queue changes (kafka → externalKafka) … keep messageQueue: \"kafka\""}},
		"external kafka through the 2.6 move": {st("4.2.58", "2.5.16", mix, "externalKafka"), st("5.0.19", "2.6.15", mix, "externalKafka"), nil},
		"everything wrong at once": {st("4.2.37", "2.5.4", sep, "pulsar"), st("5.0.19", "2.6.15", mix, "kafka"),
			[]string{"milvus.messageQueue: the message queue changes", "milvus.version: 2.6 is reached only from 2.5.16"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := versions.Check(tc.from, tc.to)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d refusals, want %d: %v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				path, rest, _ := strings.Cut(w, ": ")
				if got[i].Path != path {
					t.Errorf("refusal %d path %q, want %q", i, got[i].Path, path)
				}
				for _, part := range strings.Split(rest, " … ") {
					if !strings.Contains(got[i].Reason+"; "+got[i].Fix, part) {
						t.Errorf("refusal %d %q lacks %q", i, got[i], part)
					}
				}
			}
		})
	}
}

func TestSupportsAndForMilvus(t *testing.T) {
	for _, tc := range []struct{ version, chart string }{
		{"2.5.4", "4.2.37"}, {"2.5.10", "4.2.37"}, {"2.5.16", "4.2.58"}, {"2.5.20", "4.2.58"},
		{"2.6.15", "5.0.19"}, {"2.6.16", "5.0.19"}, {"2.6.3", ""}, {"2.5.3", ""}, {"2.7.0", ""},
	} {
		c, ok := versions.ForMilvus(tc.version)
		if got := map[bool]string{true: c.Version}[ok]; got != tc.chart {
			t.Errorf("ForMilvus(%s) = %q, want %q", tc.version, got, tc.chart)
		}
	}
	c, _ := versions.Lookup("5.0.19")
	for v, want := range map[string]string{
		"2.6.16": "",
		"2.6.15": "",
		"2.6.3":  "chart 5.0.19 runs Milvus 2.6.x from 2.6.15; 2.6.3 needs a chart milvusgen does not know",
		"2.5.16": "2.5.16 needs chart 4.2.58",
		"v2.6.1": "is not a Milvus version",
	} {
		got := c.Supports(v)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("Supports(%s) = %q, want %q", v, got, want)
		}
	}
}

// TestStateOfExternalKafka: a release with the chart's externalKafka on
// reads as the externalKafka queue, not as the in-cluster Kafka.
func TestStateOfExternalKafka(t *testing.T) {
	off := map[string]any{"enabled": false}
	st, ok := versions.StateOfValues("5.0.19", map[string]any{
		"externalKafka": map[string]any{"enabled": true, "brokerList": "b-1:9096"},
		"kafka":         off, "pulsarv3": off, "woodpecker": off,
	})
	if !ok || st.MessageQueue != "externalKafka" {
		t.Errorf("state %+v (ok %v), want the externalKafka queue", st, ok)
	}
}
