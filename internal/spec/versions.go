package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue"

	"github.com/milvusgen/milvusgen/internal/versions"
)

// compatibility mirrors #Compatibility in the schema, the one table of
// versions milvusgen knows.
type compatibility struct {
	// The Milvus charts and upgrade rules are internal/versions'.
	LBControllerCharts map[string]struct {
		AppVersion string `json:"appVersion"`
	} `json:"lbControllerCharts"`
	Kubernetes map[string]support `json:"kubernetes"`
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

// DefaultKubernetesVersion is the schema's default: the newest version
// eksctl v0.230.0 knows (its Version1_35; its own DefaultVersion is 1.34,
// which leaves EKS standard support on 2026-12-02), in standard support
// until 2027-03-27.
const DefaultKubernetesVersion = "1.35"

// newestEksctlKubernetes is the newest Kubernetes version eksctl v0.230.0
// has a constant for; milvusgen never suggests a newer one, however new
// the support table.
const newestEksctlKubernetes = "1.35"

// SupportWarningDays is how long before a version's end of standard
// support validation starts warning about it.
const SupportWarningDays = 60

func minorOf(v string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(v, "1."))
	if err != nil || !strings.HasPrefix(v, "1.") {
		return -1
	}
	return n
}

// suggestVersion is the newest Kubernetes version milvusgen and eksctl
// v0.230.0 know that is in EKS standard support on day, or "" when none
// is: the one version worth advising, never one past its support.
func suggestVersion(day time.Time) string {
	best := ""
	for v, s := range compat().Kubernetes {
		if minorOf(v) > minorOf(newestEksctlKubernetes) {
			continue
		}
		if ok, extended := s.supportedOn(day); ok && !extended && (best == "" || minorOf(v) > minorOf(best)) {
			best = v
		}
	}
	return best
}

// advice says which version to use on day, or that milvusgen knows none.
func advice(day time.Time) string {
	if v := suggestVersion(day); v != "" {
		return fmt.Sprintf("use %q, the newest version in EKS standard support on %s", v, day.Format(time.DateOnly))
	}
	return fmt.Sprintf("no version this milvusgen knows is in EKS standard support on %s; upgrade milvusgen for a newer one", day.Format(time.DateOnly))
}

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
	sort.Slice(vs, func(i, j int) bool { return minorOf(vs[i]) > minorOf(vs[j]) })
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

// knownMilvusChart says why s is not a Milvus chart of the table, or "".
func knownMilvusChart(s string) string {
	if _, ok := versions.Lookup(s); ok {
		return ""
	}
	return fmt.Sprintf("Milvus chart version %q is not one milvusgen knows; known: %s", s, quoteList(versions.Known()))
}

// plural is "1 day", "2 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
