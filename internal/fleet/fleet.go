package fleet

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	cuejson "cuelang.org/go/encoding/json"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/spec"
)

// schema is the fleet file's shape. Environment names become parts of
// messages and of --env, so they are kept to a plain alphabet.
const schema = `
#Fleet: {
	environments: [string]: {
		// files are the spec files, relative to the fleet file, layered
		// in order as repeated -f are: a later file overrides data.
		files: [...string]
		// output is the directory the environment renders into,
		// relative to the fleet file.
		output: string
	}
	// hub is where the hub tree of the environments a hub Argo CD serves
	// (gitops.argocd.mode "hub") renders, relative to the fleet file;
	// path is its path in the repository when output is not in a Git
	// work tree.
	hub?: {
		output: string
		path?:  string
	}
}
`

// Fleet is a loaded fleet file.
type Fleet struct {
	// Path is the fleet file as given.
	Path string
	// Environments are sorted by name.
	Environments []Environment
	// Hub is where the hub tree of a hub Argo CD is rendered, if any.
	Hub *Hub
}

// Environment is one entry of a fleet file, its paths resolved against the
// fleet file's directory.
type Environment struct {
	Name string
	// Files are the spec files in layering order (a later file overrides data).
	Files []string
	// Output is the output directory.
	Output string
	// Pos is where the fleet file declares the environment, OutputPos its
	// output, FilePos each of its files.
	Pos, OutputPos token.Pos
	FilePos        []token.Pos
}

// validName is the alphabet of environment names: they appear in
// messages, in --env and in file names.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Load reads and checks the fleet file at path (.yaml, .yml, .json or .cue).
// Errors are CUE errors positioned in the fleet file.
func Load(path string) (*Fleet, error) {
	data, err := input.ReadFile(path, input.Fleet)
	if err != nil {
		return nil, input.Named("fleet file", err)
	}
	return Parse(path, data)
}

// Parse is Load on the bytes of the file at path.
func Parse(path string, data []byte) (*Fleet, error) {
	ctx := cuecontext.New()
	var v cue.Value
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".cue":
		f, err := parser.ParseFile(path, data)
		if err != nil {
			return nil, err
		}
		v = ctx.BuildFile(f)
	case ".yaml", ".yml":
		f, err := spec.ExtractYAML(path, data)
		if err != nil {
			return nil, err
		}
		v = ctx.BuildFile(f)
	case ".json":
		x, err := cuejson.Extract(path, data)
		if err != nil {
			return nil, err
		}
		v = ctx.BuildExpr(x)
	default:
		return nil, fmt.Errorf("%s: unsupported fleet file format %q; use .yaml, .yml, .json or .cue", path, ext)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if k := v.IncompleteKind(); k != cue.StructKind {
		return nil, errors.Newf(v.Pos(), "%s: a fleet file is a mapping, environments: {NAME: {files: [...], output: DIR}}; got %s", path, k)
	}
	var errs errors.Error
	if it, err := v.LookupPath(cue.ParsePath("environments")).Fields(); err == nil {
		for it.Next() {
			if name := it.Selector().Unquoted(); !validName.MatchString(name) {
				errs = errors.Append(errs, errors.Newf(it.Value().Pos(), "environment name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", name))
			}
		}
	}
	if errs != nil {
		return nil, errs
	}
	def := ctx.CompileString(schema, cue.Filename("fleet-schema")).LookupPath(cue.ParsePath("#Fleet"))
	u := def.Unify(v)
	if err := u.Validate(cue.Concrete(true)); err != nil {
		return nil, positioned(err, path, v)
	}
	var raw struct {
		Environments map[string]struct {
			Files  []string `json:"files"`
			Output string   `json:"output"`
		} `json:"environments"`
		Hub *struct {
			Output string `json:"output"`
			Path   string `json:"path"`
		} `json:"hub"`
	}
	if err := u.Decode(&raw); err != nil {
		return nil, positioned(err, path, v)
	}
	if len(raw.Environments) == 0 {
		return nil, errors.Newf(v.Pos(), "%s: the fleet has no environments; add environments: {NAME: {files: [...], output: DIR}}", path)
	}
	dir := filepath.Dir(path)
	f := &Fleet{Path: path}
	if raw.Hub != nil {
		at := v.LookupPath(cue.ParsePath("hub"))
		if raw.Hub.Output == "" {
			return nil, errors.Newf(valuePos(at.LookupPath(cue.ParsePath("output"))), "hub.output is empty; name the directory the hub tree renders into")
		}
		f.Hub = &Hub{Output: resolve(dir, raw.Hub.Output), Path: raw.Hub.Path, Pos: at.Pos()}
	}
	for name, e := range raw.Environments {
		env := Environment{Name: name, Output: resolve(dir, e.Output)}
		for _, s := range e.Files {
			env.Files = append(env.Files, resolve(dir, s))
		}
		at := v.LookupPath(cue.MakePath(cue.Str("environments"), cue.Str(name)))
		env.Pos = at.Pos()
		env.OutputPos = valuePos(at.LookupPath(cue.MakePath(cue.Str("output"))))
		if len(e.Files) == 0 {
			errs = errors.Append(errs, errors.Newf(valuePos(at.LookupPath(cue.MakePath(cue.Str("files")))), "environment %s: files is empty; name its spec files, e.g. files: [base.cue, overlays/%s.cue]", name, name))
		}
		if e.Output == "" {
			errs = errors.Append(errs, errors.Newf(env.OutputPos, "environment %s: output is empty; name the directory it renders into", name))
		}
		for i, s := range e.Files {
			env.FilePos = append(env.FilePos, valuePos(at.LookupPath(cue.MakePath(cue.Str("files"), cue.Index(i)))))
			if s == "-" {
				return nil, errors.Newf(valuePos(at.LookupPath(cue.MakePath(cue.Str("files"), cue.Index(i)))), "environment %s: a fleet reads its specs from files; \"-\" (stdin) is not one", name)
			}
		}
		f.Environments = append(f.Environments, env)
	}
	if errs != nil {
		return nil, errs
	}
	sort.Slice(f.Environments, func(i, j int) bool { return f.Environments[i].Name < f.Environments[j].Name })
	return f, nil
}

// positioned keeps CUE's errors but points those in the schema at the
// user's file: the field the schema rejected, else the file's start.
func positioned(err error, path string, v cue.Value) error {
	var out errors.Error
	for _, e := range errors.Errors(err) {
		p := e.Position()
		if p.IsValid() && p.Filename() == path {
			out = errors.Append(out, e)
			continue
		}
		sel := e.Path()
		if len(sel) > 0 && sel[0] == "#Fleet" {
			sel = sel[1:]
		}
		pos := token.NoPos
		for i := len(sel); i >= 0 && !pos.IsValid(); i-- {
			x := v.LookupPath(cue.MakePath(selectors(sel[:i])...))
			if x.Exists() {
				pos = x.Pos()
			}
		}
		format, args := e.Msg()
		out = errors.Append(out, errors.Newf(pos, "fleet %s: %s", strings.Join(sel, "."), fmt.Sprintf(format, args...)))
	}
	return out
}

func selectors(path []string) []cue.Selector {
	sels := make([]cue.Selector, len(path))
	for i, p := range path {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 {
			sels[i] = cue.Index(n)
		} else {
			sels[i] = cue.Str(p)
		}
	}
	return sels
}

// valuePos points at a field's value rather than its label.
func valuePos(v cue.Value) token.Pos {
	if f, ok := v.Source().(*ast.Field); ok && f.Value != nil && f.Value.Pos().IsValid() {
		return f.Value.Pos()
	}
	return v.Pos()
}

// resolve makes p relative to the fleet file's directory, unless absolute.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

// Select returns the environments named, in the fleet's order, or all of
// them when names is empty. An unknown name is an error listing the known.
func (f *Fleet) Select(names []string) ([]Environment, error) {
	if len(names) == 0 {
		return f.Environments, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Environment
	for _, e := range f.Environments {
		if want[e.Name] {
			out = append(out, e)
			delete(want, e.Name)
		}
	}
	if len(want) > 0 {
		var unknown, known []string
		for n := range want {
			unknown = append(unknown, n)
		}
		for _, e := range f.Environments {
			known = append(known, e.Name)
		}
		sort.Strings(unknown)
		return nil, fmt.Errorf("%s has no environment %s (it has: %s)", f.Path, strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return out, nil
}
