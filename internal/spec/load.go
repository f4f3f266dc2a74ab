package spec

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	cuejson "cuelang.org/go/encoding/json"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/suggest"
	"github.com/milvusgen/milvusgen/schema"
)

// Source is one spec input. Its Name is shown in error positions and its
// extension picks the format: .cue, .yaml/.yml or .json ("-" is YAML).
type Source struct {
	Name string
	Data []byte
}

// Options control Load.
type Options struct {
	// Today is the date Kubernetes version support is judged against. The
	// caller passes it (the CLI passes the clock's date) so validation is
	// reproducible; the zero value skips the support-date check.
	Today time.Time
	// SupportWarnings reports a Kubernetes version past EKS support as a
	// warning instead of an error. `render --check` sets it: whether a
	// committed tree is stale is decided by its bytes alone, so the same
	// commit checks the same way today and in two years.
	SupportWarnings bool
}

// Result is a loaded spec and the warnings about it that do not stop a render.
type Result struct {
	Spec     *model.Spec
	Warnings []errors.Error

	user  cue.Value // the user's files unified, for Pos
	first string    // the first file's name
}

// MaxSpecBytes bounds one spec input. Specs are kilobytes; the bound keeps
// `-f /dev/zero` or a mistaken path from being read into memory.
const MaxSpecBytes = input.Spec

// ReadFiles reads spec files through the bounded reader (internal/input);
// "-" reads stdin. Only regular files and pipes are read (a device such as
// /dev/zero or a directory is refused before any byte is read), and none
// beyond MaxSpecBytes.
func ReadFiles(paths []string, stdin io.Reader) ([]Source, error) {
	srcs := make([]Source, 0, len(paths))
	for _, p := range paths {
		var data []byte
		var err error
		if p == "-" {
			data, err = input.Read("-", stdin, MaxSpecBytes)
		} else {
			data, err = input.ReadFile(p, MaxSpecBytes)
		}
		if err != nil {
			if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
				return nil, fmt.Errorf("reading spec %s failed: it is a directory; pass the spec file (spec.cue, spec.yaml or spec.json)", p)
			}
			return nil, input.Named("spec", err)
		}
		srcs = append(srcs, Source{Name: p, Data: data})
	}
	return srcs, nil
}

// Load unifies the sources with the #Spec schema, validates the result and
// decodes it. On failure the error may hold many problems, retrievable with
// errors.Errors; each points at the user's file.
func Load(srcs []Source, opts Options) (*Result, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no spec given")
	}
	// The schema is compiled once per process and its context reused: a
	// cue.Context is not safe for concurrent use, hence the lock.
	sc := compiled()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	ctx, root, def := sc.ctx, sc.root, sc.def

	var errs errors.Error
	files := map[string]bool{}
	vals := make([]cue.Value, 0, len(srcs))
	for _, src := range srcs {
		files[src.Name] = true
		v, err := build(ctx, src)
		if err != nil {
			errs = errors.Append(errs, parseError(err))
			continue
		}
		vals = append(vals, v)
	}
	if errs != nil {
		return nil, errs
	}
	// Later files override earlier ones' data; constraints hold (layer).
	user, met := layer(ctx, vals)

	r := &report{}
	r.pos = func(path []string) token.Pos { return posOf(user, path, srcs[0].Name) }
	r.set = func(path string) bool {
		return user.LookupPath(cue.MakePath(selectors(splitPath(path))...)).Exists()
	}

	layerConflicts(r, user, met)
	// Field rules run on the user's own values, so they see what was written
	// even where the schema's constraint makes the unified value bottom.
	checkFields(r, user)

	v := def.Unify(user)
	invalid := invalidSet{}
	if err := v.Validate(cue.Concrete(true)); err != nil {
		all := errors.Errors(err)
		reported := map[string]bool{}
		for i, e := range all {
			all[i] = unknownAncestor(e, def)
			reported[strings.Join(specPath(all[i]), ".")] = true
		}
		for _, e := range unknownFields(user, def) {
			if k := strings.Join(specPath(e), "."); !reported[k] {
				all = append(all, e)
				reported[k] = true
			}
		}
		all = append(all, leafErrors(user, def, reported)...)
		kept := oneErrorPerPath(all, user, def)
		invalid.markErrors(kept, def)
		seen := map[string]bool{}
		for _, e := range kept {
			if r.covers(specPath(e)) || seen[strings.Join(specPath(e), ".")] {
				continue
			}
			seen[strings.Join(specPath(e), ".")] = true
			r.errs = errors.Append(r.errs, userError(e, files, r, def))
		}
	}
	for p := range r.paths {
		invalid.add(splitPath(p)) // the field rules' findings
	}

	// Decode everything sound, so the cross-field rules still run on it and
	// all problems surface in one run.
	s := &model.Spec{}
	decodeClean(ctx, v, user, def, s, invalid)
	if !user.LookupPath(cue.ParsePath("cluster.nodeGroups")).Exists() {
		if err := root.LookupPath(cue.ParsePath("#DefaultNodeGroups")).Decode(&s.Cluster.NodeGroups); err != nil {
			panic("milvusgen: embedded schema's #DefaultNodeGroups is broken: " + err.Error())
		}
	}
	r.invalid = invalid
	decoded := map[string]bool{}
	for _, p := range checkInputs {
		decoded[p] = invalid.clean(p)
	}
	if decoded["aws"] && decoded["cluster"] && decoded["storage"] && decoded["milvus"] {
		s.DeriveNames()
	}
	checkModel(r, s, decoded, opts)
	order := make(map[string]int, len(srcs))
	for i, src := range srcs {
		order[src.Name] = i
	}
	if r.errs != nil {
		// Every problem in one run: the warnings come with the errors, all
		// in file order (issue 19 item 3).
		all := errors.Errors(r.errs)
		for _, w := range r.warnings {
			// One problem, one message: a warning about a field with an
			// error (or below or above one) says the same thing again.
			if !overlapsError(w, all) {
				all = append(all, &Warning{w})
			}
		}
		sortByPosition(all, order)
		var out errors.Error
		for _, e := range all {
			out = errors.Append(out, e)
		}
		return nil, out
	}
	sortByPosition(r.warnings, order)
	return &Result{Spec: s, Warnings: r.warnings, user: user, first: srcs[0].Name}, nil
}

// checkInputs are the spec paths the rule checks read; a check runs when
// its inputs are sound (checkModel).
var checkInputs = []string{
	"name", "aws", "storage", "storage.storageClass", "loadBalancerController",
	"cluster", "cluster.kubernetesVersion", "cluster.nodeGroups", "cluster.name", "cluster.identity", "cluster.vpcCIDR", "cluster.vpc", "cluster.existing", "cluster.zones",
	"milvus", "milvus.namespace", "milvus.serviceAccount", "milvus.chartVersion", "milvus.version", "milvus.coordinators", "milvus.indexNode", "milvus.highAvailability", "milvus.messageQueue",
	"milvus.mixCoordinator", "milvus.proxy", "milvus.queryNode", "milvus.dataNode", "milvus.streamingNode", "milvus.dataset",
	"milvus.auth", "milvus.tls", "milvus.service", "milvus.config", "milvus.values", "backup",
	"milvus.inMemoryReplicas", "milvus.spread", "milvus.externalKafka", "gitops",
}

// schemaCache is the compiled schema and the context it lives in.
type schemaCache struct {
	mu        sync.Mutex
	ctx       *cue.Context
	root, def cue.Value
	compat    compatibility
}

var compiled = sync.OnceValue(func() *schemaCache {
	ctx := cuecontext.New()
	root, def := compileSchema(ctx)
	return &schemaCache{ctx: ctx, root: root, def: def, compat: decodeCompat(root)}
})

// compileSchema compiles the embedded schema. A broken embedded schema is a
// build defect, the one case that panics.
func compileSchema(ctx *cue.Context) (root, def cue.Value) {
	root = ctx.CompileBytes(schema.Source, cue.Filename(schema.Filename))
	def = root.LookupPath(cue.ParsePath("#Spec"))
	if err := def.Err(); err != nil {
		panic("milvusgen: embedded schema is broken: " + err.Error())
	}
	return root, def
}

func build(ctx *cue.Context, src Source) (cue.Value, error) {
	name := src.Name
	ext := strings.ToLower(filepath.Ext(name))
	if name == "-" {
		ext = stdinFormat(src.Data)
	}
	var v cue.Value
	switch ext {
	case ".cue":
		f, err := parser.ParseFile(name, src.Data, parser.ParseComments)
		if err != nil {
			return v, err
		}
		v = ctx.BuildFile(f)
	case ".yaml", ".yml":
		data, err := oneDocument(name, lineFeeds(src.Data))
		if err != nil {
			return v, err
		}
		f, err := ExtractYAML(name, data)
		if err != nil {
			return v, yamlError(name, data, err)
		}
		v = ctx.BuildFile(f)
	case ".json":
		x, err := cuejson.Extract(name, src.Data)
		if err != nil {
			return v, err
		}
		v = ctx.BuildExpr(x)
	default:
		return v, errors.Newf(token.NoPos, "%s: unsupported spec format %q; use .cue, .yaml, .yml or .json", name, ext)
	}
	if err := v.Err(); err != nil {
		return v, err
	}
	if k := v.IncompleteKind(); k != cue.StructKind && k != cue.TopKind {
		pos := v.Pos()
		if f, ok := v.Source().(*ast.File); ok && len(f.Decls) > 0 {
			pos = f.Decls[0].Pos()
		}
		return v, errors.Newf(pos, "a spec must be a mapping of fields (name, aws, cluster, …), got %s", k)
	}
	return v, nil
}

// posOf finds the position of path in the user's files: the value itself,
// else its closest ancestor the user wrote, else the start of the first file.
func posOf(user cue.Value, path []string, first string) token.Pos {
	for i := len(path); i >= 0; i-- {
		x := user.LookupPath(cue.MakePath(selectors(path[:i])...))
		if !x.Exists() {
			continue
		}
		// Point at the value, not its label: "bucket: >Milvus_Bucket".
		if f, ok := x.Source().(*ast.Field); ok && f.Value != nil && f.Value.Pos().IsValid() {
			return f.Value.Pos()
		}
		if p := x.Pos(); p.IsValid() {
			return p
		}
	}
	f := token.NewFile(first, -1, 1)
	f.SetLines([]int{0})
	return f.Pos(0, token.NoRelPos)
}

func selectors(path []string) []cue.Selector {
	sels := make([]cue.Selector, 0, len(path))
	for _, p := range path {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 {
			sels = append(sels, cue.Index(n))
			continue
		}
		sels = append(sels, cue.Str(p))
	}
	return sels
}

// userError re-positions a CUE error at the user's file and rephrases the
// messages that otherwise only make sense to CUE experts.
func userError(e errors.Error, files map[string]bool, r *report, def cue.Value) errors.Error {
	path := specPath(e)
	pos := token.NoPos
	for _, p := range append([]token.Pos{e.Position()}, e.InputPositions()...) {
		if p.IsValid() && files[p.Filename()] {
			pos = p
			break
		}
	}
	if !pos.IsValid() {
		pos = r.pos(path)
	}
	format, args := e.Msg()
	msg := clip(fmt.Sprintf(format, args...), 400) // never echo a megabyte
	switch {
	case strings.Contains(msg, "field not allowed") && len(path) > 0 && isCredential(path[len(path)-1]):
		msg = "static credentials are not accepted: Milvus reaches S3 through IRSA or EKS Pod Identity (cluster.identity), and other secrets belong in Kubernetes Secrets"
	case strings.Contains(msg, "field not allowed"):
		msg = "unknown field" + didYouMean(def, path)
	case strings.Contains(msg, "field is required but not present"):
		msg = "required field is missing; add it to the spec"
	case strings.HasPrefix(msg, "incomplete value"):
		msg = "missing value: " + msg
	}
	return &fieldError{pos: pos, path: path, msg: msg}
}

// specPath is the error's path relative to the spec (without "#Spec").
func specPath(e errors.Error) []string {
	path := e.Path()
	if len(path) > 0 && path[0] == "#Spec" {
		path = path[1:]
	}
	out := make([]string, len(path))
	for i, p := range path {
		// CUE quotes labels that are not identifiers ("bad key!!").
		if u, err := strconv.Unquote(p); err == nil && strings.HasPrefix(p, `"`) {
			p = u
		}
		out[i] = p
	}
	return out
}

// didYouMean names the fields allowed beside an unknown one, and the closest.
func didYouMean(def cue.Value, path []string) string {
	names, best, ok := siblings(def, path)
	if len(names) == 0 {
		return ""
	}
	hint := ""
	if ok {
		hint = fmt.Sprintf("; did you mean %q?", best)
	}
	return hint + " (allowed: " + strings.Join(names, ", ") + ")"
}

// closestField is the allowed field an unknown one is a misspelling of.
func closestField(def cue.Value, path []string) (string, bool) {
	_, best, ok := siblings(def, path)
	return best, ok
}

// siblings lists the fields the schema allows beside path's last element,
// and the closest to it when it is close enough to be a misspelling.
func siblings(def cue.Value, path []string) (names []string, best string, ok bool) {
	if len(path) == 0 {
		return nil, "", false
	}
	parent := def
	for _, p := range path[:len(path)-1] {
		sel := cue.Str(p)
		if _, err := strconv.Atoi(p); err == nil {
			sel = cue.AnyIndex
		}
		next := parent.LookupPath(cue.MakePath(sel))
		if !next.Exists() && sel != cue.AnyIndex {
			next = parent.LookupPath(cue.MakePath(sel.Optional()))
		}
		if !next.Exists() {
			return nil, "", false
		}
		parent = next
	}
	it, err := parent.Fields(cue.Optional(true))
	if err != nil {
		return nil, "", false
	}
	bad := path[len(path)-1]
	bestD := 1 << 30
	for it.Next() {
		n := it.Selector().Unquoted()
		names = append(names, n)
		if d := suggest.Distance(strings.ToLower(bad), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return names, best, len(names) > 0 && suggest.Close(bestD, len(bad))
}

func overlapsError(w errors.Error, errs []errors.Error) bool {
	wp := strings.Join(specPath(w), ".")
	for _, e := range errs {
		ep := strings.Join(specPath(e), ".")
		if ep == wp || strings.HasPrefix(wp, ep+".") || strings.HasPrefix(ep, wp+".") {
			return true
		}
	}
	return false
}
