package spec

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// releaseCharts are the charts a release deploys whose templates name
// their objects "<release>-<chart>", or just "<release>" when the release
// name already contains the chart's name (the fullname helper of the
// Milvus chart and of Bitnami's etcd, Kafka and ZooKeeper charts). Two of
// them contained in one release name give both the same fullname, and
// Service, StatefulSet and PDB names collide: Helm renders both and the
// later one silently wins. Pulsar's chart names nothing bare fullname
// with these values, so it is not listed (TestReleaseNameAgreesWithCharts
// renders the real charts to check both ways).
func releaseCharts(s *model.Spec) []string {
	charts := []string{"milvus", "etcd"}
	if s.Milvus.MessageQueue == model.Kafka {
		charts = append(charts, "kafka", "zookeeper")
	}
	return charts
}

// checkReleaseName refuses a release name that makes two of the release's
// charts name their objects alike.
func checkReleaseName(r *report, s *model.Spec) {
	var in []string
	for _, c := range releaseCharts(s) {
		if strings.Contains(s.Name, c) {
			in = append(in, c)
		}
	}
	if len(in) < 2 {
		return
	}
	r.errorf("name", "release name %q contains both %q and %q: both charts then name their objects %q, and their Services collide (one silently replaces the other); pick a name that contains at most one of %s, e.g. %q",
		s.Name, in[0], in[1], s.Name, strings.Join(quoteAll(releaseCharts(s)), ", "), suggestRelease(s.Name, in[1]))
}

// suggestRelease drops the chart's name from the release name.
func suggestRelease(name, chart string) string {
	out := strings.Trim(strings.ReplaceAll(strings.ReplaceAll(name, chart, ""), "--", "-"), "-")
	if out == "" || out == name {
		return "milvus-demo"
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}
