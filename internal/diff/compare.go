package diff

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/milvusgen/milvusgen/internal/cost"

	"github.com/sergi/go-diff/diffmatchpatch"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// ManifestName is the tree manifest the writer adds; it is not compared.
const ManifestName = ".milvusgen-manifest.json"

// Op is what happened to an object or a field.
type Op string

// Ops.
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// ID identifies a document across two trees.
type ID struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// File identifies what has no name: a non-YAML file, an unnamed or
	// non-object YAML document (with Doc, its index in the file).
	File string `json:"file,omitempty"`
	Doc  int    `json:"doc,omitempty"`
}

// String is Kind/namespace/name, Kind/name, or the file.
func (id ID) String() string {
	switch {
	case id.Name != "" && id.Namespace != "":
		return id.Kind + " " + id.Namespace + "/" + id.Name
	case id.Name != "":
		return id.Kind + " " + id.Name
	case id.Kind != "":
		return id.Kind
	}
	return "file"
}

// Field is one changed field of a changed object.
type Field struct {
	Path string `json:"path"`
	Op   Op     `json:"op"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
	// Lines is a line diff ("-old", "+new") when the value is a
	// multi-line string.
	Lines []string `json:"lines,omitempty"`
}

// Category groups flags by what is at risk.
type Category string

// Categories.
const (
	Data           Category = "data"
	Availability   Category = "availability"
	Network        Category = "network"
	Infrastructure Category = "infrastructure"
)

// Flag is a change that matters, with why.
type Flag struct {
	Category Category `json:"category"`
	// Field is the path that triggered the flag, if one did.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Change is one object, JSON file or text file that differs.
type Change struct {
	ID ID `json:"id"`
	// Path is the file in the new tree, or in the old one when removed.
	Path string `json:"path"`
	// OldPath is set when the object moved to another file.
	OldPath string  `json:"oldPath,omitempty"`
	Op      Op      `json:"op"`
	Fields  []Field `json:"fields,omitempty"`
	// Lines is the line diff of a changed text file.
	Lines []string `json:"lines,omitempty"`
	Flags []Flag   `json:"flags,omitempty"`
	// Steps are what the change makes aws/converge.sh do (infra.go).
	Steps []InfraStep `json:"steps,omitempty"`
}

// Title names the change's subject: the object, or the file.
func (c Change) Title() string {
	if c.ID.Name == "" && c.ID.Kind == "" {
		return c.Path
	}
	return c.ID.String()
}

// Report is the difference between two trees.
type Report struct {
	Changes []Change `json:"changes"`
	// Unchanged counts the objects and files that are equal.
	Unchanged int `json:"unchanged"`
	// Refusals are changes no merge should carry out as they stand, each
	// with the steps to take instead (infra.go).
	Refusals []Refusal `json:"refusals,omitempty"`
	// Cost is the change to the monthly bill, with diff --cost.
	Cost *cost.Change `json:"cost,omitempty"`
}

// Equal reports whether the trees are the same.
func (r *Report) Equal() bool { return len(r.Changes) == 0 }

// Flagged is a flag with the change it belongs to.
type Flagged struct {
	Flag
	Change *Change
}

// Flags returns every flag of the report, data first, then availability,
// network and infrastructure, in change order within a category.
func (r *Report) Flags() []Flagged {
	var out []Flagged
	for i := range r.Changes {
		for _, f := range r.Changes[i].Flags {
			out = append(out, Flagged{Flag: f, Change: &r.Changes[i]})
		}
	}
	order := map[Category]int{Data: 0, Availability: 1, Network: 2, Infrastructure: 3}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Category] < order[out[j].Category] })
	return out
}

// Count returns how many changes have op.
func (r *Report) Count(op Op) int {
	n := 0
	for _, c := range r.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// doc is one comparable unit of a tree.
type doc struct {
	id   ID
	path string
	// body is the parsed document (objects, JSON files); text is set
	// instead for files compared by lines.
	body any
	text []byte
}

// Compare compares the old tree with the new one and flags the changes
// that matter. The tree manifest is ignored.
func Compare(old, new []manifest.File) *Report {
	a, b := index(old), index(new)
	r := &Report{}
	vars := treeVars(new)
	for _, id := range sortedIDs(a, b) {
		da, inA := a[id]
		db, inB := b[id]
		var c Change
		switch {
		case !inA:
			c = Change{ID: id, Path: db.path, Op: Added}
		case !inB:
			c = Change{ID: id, Path: da.path, Op: Removed}
		default:
			c = Change{ID: id, Path: db.path, Op: Changed}
			if da.path != db.path {
				c.OldPath = da.path
			}
			if da.text != nil || db.text != nil {
				if !bytes.Equal(da.text, db.text) {
					c.Lines = lineDiff(string(da.text), string(db.text))
				}
			} else {
				diffValues("", da.body, db.body, &c.Fields)
			}
			if len(c.Fields) == 0 && len(c.Lines) == 0 && c.OldPath == "" {
				r.Unchanged++
				continue
			}
		}
		var ob, nb any
		if inA {
			ob = da.body
		}
		if inB {
			nb = db.body
		}
		c.Flags = flagAll(&c, asMap(ob), asMap(nb))
		classifyAWS(&c, asMap(ob), asMap(nb), vars)
		r.Changes = append(r.Changes, c)
	}
	flagRenames(r)
	refuseAWS(r)
	flagEngineChange(r)
	argoCDWords(r)
	sort.SliceStable(r.Changes, func(i, j int) bool { return r.Changes[i].Path < r.Changes[j].Path })
	return r
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// index splits a tree into its documents by ID.
func index(files []manifest.File) map[ID]doc {
	out := map[ID]doc{}
	add := func(d doc) {
		if _, dup := out[d.id]; dup {
			// Two documents with one identity: tell them apart by file.
			d.id.File = d.path
		}
		out[d.id] = d
	}
	for _, f := range files {
		if f.Path == ManifestName {
			continue
		}
		switch ext := path.Ext(f.Path); ext {
		case ".yaml", ".yml":
			docs, err := parseYAML(f.Data)
			if err != nil {
				add(doc{id: ID{File: f.Path}, path: f.Path, text: f.Data})
				continue
			}
			for i, body := range docs {
				add(doc{id: objectID(body, f.Path, i), path: f.Path, body: body})
			}
		case ".json":
			var body any
			if err := json.Unmarshal(f.Data, &body); err != nil {
				add(doc{id: ID{File: f.Path}, path: f.Path, text: f.Data})
				continue
			}
			add(doc{id: ID{File: f.Path}, path: f.Path, body: body})
		default:
			add(doc{id: ID{File: f.Path}, path: f.Path, text: f.Data})
		}
	}
	return out
}

// objectID identifies a YAML document: a named Kubernetes object by group,
// kind, namespace and name, anything else by its file and index.
func objectID(body any, file string, i int) ID {
	m, ok := body.(map[string]any)
	if !ok {
		return ID{File: file, Doc: i}
	}
	kind, _ := m["kind"].(string)
	apiVersion, _ := m["apiVersion"].(string)
	md, _ := m["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	ns, _ := md["namespace"].(string)
	if kind == "" || name == "" {
		return ID{Kind: kind, File: file, Doc: i}
	}
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		group = "" // core: "v1"
	}
	return ID{Group: group, Kind: kind, Namespace: ns, Name: name}
}

func sortedIDs(a, b map[ID]doc) []ID {
	seen := map[ID]bool{}
	var ids []ID
	for _, m := range []map[ID]doc{a, b} {
		for id := range m {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		x, y := ids[i], ids[j]
		for _, p := range [][2]string{{x.File, y.File}, {x.Kind, y.Kind}, {x.Namespace, y.Namespace}, {x.Name, y.Name}, {x.Group, y.Group}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return x.Doc < y.Doc
	})
	return ids
}

// parseYAML returns the non-empty documents of a YAML file as JSON-like
// values.
func parseYAML(data []byte) ([]any, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []any
	for {
		raw, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var v any
		if err := yaml.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, v)
		}
	}
}

// diffValues appends the differences between a and b below path.
func diffValues(p string, a, b any, out *[]Field) {
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(x)+len(y))
			for k := range x {
				keys = append(keys, k)
			}
			for k := range y {
				if _, ok := x[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				va, inA := x[k]
				vb, inB := y[k]
				kp := p + keySegment(k)
				switch {
				case !inA:
					*out = append(*out, Field{Path: kp, Op: Added, New: vb})
				case !inB:
					*out = append(*out, Field{Path: kp, Op: Removed, Old: va})
				default:
					diffValues(kp, va, vb, out)
				}
			}
			return
		}
	case []any:
		if y, ok := b.([]any); ok && diffLists(p, x, y, out) {
			return
		}
	case string:
		if y, ok := b.(string); ok && x != y && strings.Contains(x, "\n") && strings.Contains(y, "\n") {
			var ma, mb map[string]any
			if yaml.Unmarshal([]byte(x), &ma) == nil && yaml.Unmarshal([]byte(y), &mb) == nil && ma != nil && mb != nil {
				diffValues(p, ma, mb, out)
				return
			}
			*out = append(*out, Field{Path: p, Op: Changed, Lines: lineDiff(x, y)})
			return
		}
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, Field{Path: p, Op: Changed, Old: a, New: b})
	}
}

// diffLists compares lists element by element when that is meaningful:
// by name when every element has a unique one, by index when the lists
// are as long and hold maps. It reports false when the lists should be
// compared whole (plain values, or a changed length without names).
func diffLists(p string, a, b []any, out *[]Field) bool {
	na, okA := names(a)
	nb, okB := names(b)
	if okA && okB {
		ia := map[string]any{}
		for i, n := range na {
			ia[n] = a[i]
		}
		ib := map[string]any{}
		for i, n := range nb {
			ib[n] = b[i]
		}
		for i, n := range na {
			if _, ok := ib[n]; !ok {
				*out = append(*out, Field{Path: p + "[name=" + n + "]", Op: Removed, Old: a[i]})
			} else {
				diffValues(p+"[name="+n+"]", a[i], ib[n], out)
			}
		}
		for i, n := range nb {
			if _, ok := ia[n]; !ok {
				*out = append(*out, Field{Path: p + "[name=" + n + "]", Op: Added, New: b[i]})
			}
		}
		return true
	}
	if len(a) != len(b) || !allMaps(a) || !allMaps(b) {
		return false
	}
	for i := range a {
		diffValues(p+"["+strconv.Itoa(i)+"]", a[i], b[i], out)
	}
	return true
}

// names returns each element's name when every element is a map with a
// distinct non-empty string name.
func names(l []any) ([]string, bool) {
	if len(l) == 0 {
		return nil, false
	}
	out := make([]string, len(l))
	seen := map[string]bool{}
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		n, ok := m["name"].(string)
		if !ok || n == "" || seen[n] {
			return nil, false
		}
		seen[n] = true
		out[i] = n
	}
	return out, true
}

func allMaps(l []any) bool {
	for _, e := range l {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// keySegment is "/key", or `["key"]` when the key would be ambiguous.
func keySegment(k string) string {
	if k == "" || strings.ContainsAny(k, "/[]\" ") {
		return "[" + strconv.Quote(k) + "]"
	}
	return "/" + k
}

// lineDiff lists the lines only in a ("-…") and only in b ("+…"), in
// order: a line-mode Myers diff (sergi/go-diff, the diff-match-patch port
// Helm's dependencies already bring), run without its time limit so that
// the result never depends on the machine's speed.
func lineDiff(a, b string) []string {
	// A missing final newline is not a difference worth a line.
	a = strings.TrimSuffix(a, "\n") + "\n"
	b = strings.TrimSuffix(b, "\n") + "\n"
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	var out []string
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines) {
		var sign string
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			sign = "-"
		case diffmatchpatch.DiffInsert:
			sign = "+"
		default:
			continue
		}
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				out = append(out, sign+strings.TrimSuffix(l, "\n"))
			}
		}
	}
	return out
}

// show formats a value for a one-line display: JSON, shortened.
func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(data)
	if len(s) > 160 {
		s = s[:157] + "…"
	}
	return s
}

func sortStrings(s []string) { sort.Strings(s) }
