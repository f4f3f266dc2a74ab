package versions

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"github.com/Masterminds/semver/v3"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/schema"
)

// ImageRepository is the Milvus image every chart in the table runs
// (image.all.repository).
const ImageRepository = "milvusdb/milvus"

// Chart is one Milvus chart version of the table.
type Chart struct {
	Version string `json:"-"`
	// Milvus is the chart's appVersion, its default image tag without "v".
	Milvus string `json:"milvus"`
	// Coordinators are the coordinator layouts the chart deploys.
	Coordinators []string `json:"coordinators"`
	// Components are the Milvus Deployments besides the coordinators, as
	// the spec and the chart's values name them.
	Components    []string `json:"components"`
	MessageQueues []string `json:"messageQueues"`
	Etcd          Etcd     `json:"etcd"`
}

// Etcd is the chart's etcd subchart.
type Etcd struct {
	Chart string `json:"chart"`
	// PDBAPI is the PodDisruptionBudget API version the subchart's pdb
	// template writes; policy/v1beta1 is gone since Kubernetes 1.25.
	PDBAPI string `json:"pdbAPI"`
}

// Has reports whether the chart deploys the component ("indexNode").
func (c Chart) Has(component string) bool { return slices.Contains(c.Components, component) }

// Streaming reports whether the chart runs streaming nodes (Milvus 2.6).
func (c Chart) Streaming() bool { return c.Has("streamingNode") }

// Minor is the Milvus minor line of the chart ("2.6").
func (c Chart) Minor() string { return Minor(c.Milvus) }

// Step is a stepping stone of the table's upgrades.
type Step struct {
	// To is the Milvus minor the rule guards ("2.6").
	To string `json:"to"`
	// From is the lowest version of the minor before To that may move to To.
	From string `json:"from"`
	// Coordinators is the layout the cluster must run before moving.
	Coordinators string `json:"coordinators"`
	// QueueFixed says the message queue may not change in the same step.
	QueueFixed bool `json:"queueFixed"`
}

type table struct {
	Charts   map[string]Chart `json:"charts"`
	Upgrades []Step           `json:"upgrades"`
}

// load decodes #Compatibility from the embedded schema once. A broken
// table is a build defect.
var load = sync.OnceValue(func() table {
	ctx := cuecontext.New()
	root := ctx.CompileBytes(schema.Source, cue.Filename(schema.Filename))
	var t table
	if err := root.LookupPath(cue.ParsePath("#Compatibility")).Decode(&t); err != nil {
		panic("milvusgen: embedded schema's #Compatibility is broken: " + err.Error())
	}
	for v, c := range t.Charts {
		c.Version = v
		if _, err := semver.StrictNewVersion(c.Milvus); err != nil {
			panic("milvusgen: chart " + v + ": bad Milvus version " + c.Milvus)
		}
		t.Charts[v] = c
	}
	return t
})

// Charts lists the table's charts, oldest first.
func Charts() []Chart {
	var out []Chart
	for _, c := range load().Charts {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return Less(out[i].Version, out[j].Version) })
	return out
}

// Lookup returns the chart of that version.
func Lookup(chart string) (Chart, bool) {
	c, ok := load().Charts[chart]
	return c, ok
}

// Known lists the chart versions, oldest first.
func Known() []string {
	var out []string
	for _, c := range Charts() {
		out = append(out, c.Version)
	}
	return out
}

// Steps are the table's stepping stones.
func Steps() []Step { return slices.Clone(load().Upgrades) }

// Less orders two versions ("2.5.16" < "2.6.0"); versions that do not
// parse sort first, by their text.
func Less(a, b string) bool { return Compare(a, b) < 0 }

// Compare is -1, 0 or 1 as a is older than, the same as or newer than b.
func Compare(a, b string) int {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	switch {
	case ea != nil || eb != nil:
		return strings.Compare(a, b)
	default:
		return va.Compare(vb)
	}
}

// Minor is "2.6" of "2.6.15", or "" when v is not a version.
func Minor(v string) string {
	sv, err := semver.NewVersion(v)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d.%d", sv.Major(), sv.Minor())
}

// Valid reports whether v is a plain MAJOR.MINOR.PATCH version.
func Valid(v string) bool {
	_, err := semver.StrictNewVersion(v)
	return err == nil
}

// Supports says whether the chart runs Milvus v: the chart's minor line,
// at or above its own version (its templates and config know no older
// one). It returns "" when it does, else why not.
func (c Chart) Supports(v string) string {
	if !Valid(v) {
		return fmt.Sprintf("%q is not a Milvus version (MAJOR.MINOR.PATCH, e.g. %q)", v, c.Milvus)
	}
	if Minor(v) != c.Minor() || Less(v, c.Milvus) {
		return fmt.Sprintf("chart %s runs Milvus %s.x from %s; %s needs %s", c.Version, c.Minor(), c.Milvus, v, chartsFor(v))
	}
	return ""
}

// chartsFor names the chart that runs v, or says none does.
func chartsFor(v string) string {
	if c, ok := ForMilvus(v); ok {
		return "chart " + c.Version
	}
	return "a chart milvusgen does not know (known: " + strings.Join(Known(), ", ") + ")"
}

// ForMilvus is the chart that runs Milvus v: the newest chart of v's minor
// line whose own version is not newer than v.
func ForMilvus(v string) (Chart, bool) {
	var best Chart
	found := false
	for _, c := range Charts() {
		if c.Minor() == Minor(v) && !Less(v, c.Milvus) {
			best, found = c, true
		}
	}
	return best, found
}

// MilvusVersion is the Milvus version a spec runs: milvus.version, or the
// pinned chart's own.
func MilvusVersion(s *model.Spec) string {
	if s.Milvus.Version != "" {
		return s.Milvus.Version
	}
	if c, ok := Lookup(s.Milvus.ChartVersion); ok {
		return c.Milvus
	}
	return ""
}

// ImageTag is the image.all.tag a spec renders ("v2.6.15").
func ImageTag(s *model.Spec) string { return "v" + MilvusVersion(s) }

// Of returns the chart the spec pins; a spec that passed validation
// always pins a known one, and the zero Chart stands for none.
func Of(s *model.Spec) Chart {
	c, _ := Lookup(s.Milvus.ChartVersion)
	return c
}
