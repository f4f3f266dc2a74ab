package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue"
)

// compatibility mirrors #Compatibility in the schema, the one table of
// versions milvusgen knows.
type compatibility struct {
	Charts             map[string]chartInfo `json:"charts"`
	LBControllerCharts map[string]struct {
		AppVersion string `json:"appVersion"`
	} `json:"lbControllerCharts"`
	Kubernetes map[string]support `json:"kubernetes"`
}

type chartInfo struct {
	Milvus        string   `json:"milvus"`
	Coordinators  string   `json:"coordinators"`
	MessageQueues []string `json:"messageQueues"`
}

// support is a Kubernetes version's EKS support window.
type support struct {
	StandardEnd string `json:"standardEnd"` // first day without standard support
	ExtendedEnd string `json:"extendedEnd"` // first day EKS cannot create it
}

// compat is the table, decoded once with the compiled schema.
func compat() compatibility { return compiled().compat }

// decodeCompat decodes #Compatibility from the schema root. A broken table
// is a build defect.
func decodeCompat(root cue.Value) compatibility {
	var c compatibility
	if err := root.LookupPath(cue.ParsePath("#Compatibility")).Decode(&c); err != nil {
		panic("milvusgen: embedded schema's #Compatibility is broken: " + err.Error())
	}
	for k, s := range c.Kubernetes {
		if _, err := time.Parse(time.DateOnly, s.StandardEnd); err != nil {
			panic("milvusgen: bad date for Kubernetes " + k + ": " + err.Error())
		}
		if _, err := time.Parse(time.DateOnly, s.ExtendedEnd); err != nil {
			panic("milvusgen: bad date for Kubernetes " + k + ": " + err.Error())
		}
	}
	return c
}

// DefaultKubernetesVersion is eksctl v0.230.0's default, also the schema's.
const DefaultKubernetesVersion = "1.34"

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s) // validated in compat
	return t
}

// supportedOn reports whether EKS can still create a cluster of this
// version on today, and whether it is only in (billed) extended support.
func (s support) supportedOn(today time.Time) (ok, extended bool) {
	d := today.UTC().Truncate(24 * time.Hour)
	if !d.Before(day(s.ExtendedEnd)) {
		return false, false
	}
	return true, !d.Before(day(s.StandardEnd))
}

// knownKubernetes lists the known versions, newest first.
func knownKubernetes() string {
	vs := make([]string, 0, len(compat().Kubernetes))
	for v := range compat().Kubernetes {
		vs = append(vs, v)
	}
	minor := func(v string) int { n, _ := strconv.Atoi(strings.TrimPrefix(v, "1.")); return n }
	sort.Slice(vs, func(i, j int) bool { return minor(vs[i]) > minor(vs[j]) })
	return strings.Join(vs, ", ")
}

func knownCharts[V any](m map[string]V) []string {
	vs := make([]string, 0, len(m))
	for v := range m {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return vs
}

func knownVersion[V any](what, s string, m map[string]V) string {
	if _, ok := m[s]; ok {
		return ""
	}
	return fmt.Sprintf("%s version %q is not one milvusgen knows; known: %s", what, s, quoteList(knownCharts(m)))
}
