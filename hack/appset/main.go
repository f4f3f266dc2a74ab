// Command appset-expand prints the Applications that Argo CD's
// ApplicationSet controller (v3.5.1, its own generator and template code)
// generates from ApplicationSets and cluster Secrets, without a cluster.
//
//	appset-expand --appset FILE [--clusters FILE_OR_DIR] [--projects FILE_OR_DIR]
//	              [--namespace argocd] [--repo URL=DIR ...] [-v]
//
// --appset is a YAML file, or a directory of *.yaml/*.yml files, of one or
// more ApplicationSets. --clusters is the same for Secrets (cluster Secrets
// carry the label argocd.argoproj.io/secret-type: cluster); it may be
// omitted when no generator reads clusters. --projects is the same for
// AppProjects: the Git generator reads the template's project, and when
// given, every generated Application's project must exist, as the
// controller checks. Objects without a namespace are put in --namespace,
// Argo CD's namespace, where the cluster generator looks for Secrets.
// Secrets' stringData is merged into data, as the API server does. --repo
// serves the Git generator from a local directory.
//
// The output is the generated Applications as YAML documents, sorted by
// namespace and name, without status. On failure it prints the error
// Argo CD's code gave, prefixed with the ApplicationSet and the controller's
// reason (e.g. RenderTemplateParamsError), and exits 1; bad usage or input
// exits 2.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// repoFlags collects --repo URL=DIR.
type repoFlags localRepos

func (r repoFlags) String() string { return "" }

func (r repoFlags) Set(v string) error {
	url, dir, ok := strings.Cut(v, "=")
	if !ok || url == "" || dir == "" {
		return fmt.Errorf("want URL=DIR, got %q", v)
	}
	r[url] = dir
	return nil
}

// usageError is bad input rather than an error of Argo CD's code.
type usageError struct{ error }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("appset-expand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appSetFile := fs.String("appset", "", "YAML file or directory of ApplicationSets (required)")
	clusters := fs.String("clusters", "", "YAML file or directory of cluster Secrets")
	projects := fs.String("projects", "", "YAML file or directory of AppProjects")
	namespace := fs.String("namespace", "argocd", "Argo CD's namespace: where the cluster generator reads Secrets, and the default namespace of the inputs")
	repos := repoFlags{}
	fs.Var(repos, "repo", "URL=DIR: serve the Git generator's repository URL from the local directory DIR (repeatable)")
	verbose := fs.Bool("v", false, "print Argo CD's log on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *appSetFile == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: appset-expand --appset FILE [--clusters FILE_OR_DIR] [--projects FILE_OR_DIR] [--namespace NS] [--repo URL=DIR ...] [-v]")
		return 2
	}
	log.SetOutput(io.Discard)
	if *verbose {
		log.SetOutput(stderr)
		log.SetLevel(log.DebugLevel)
	}

	out, err := expandFiles(*appSetFile, *clusters, *projects, *namespace, localRepos(repos))
	if err != nil {
		fmt.Fprintln(stderr, "appset-expand:", err)
		if errors.As(err, &usageError{}) {
			return 2
		}
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintln(stderr, "appset-expand:", err)
		return 1
	}
	return 0
}

func expandFiles(appSetFile, clusters, projectsPath, namespace string, repos localRepos) ([]byte, error) {
	appSets, err := readAppSets(appSetFile, namespace)
	if err != nil {
		return nil, usageError{err}
	}
	var secrets []corev1.Secret
	if clusters != "" {
		if secrets, err = readSecrets(clusters, namespace); err != nil {
			return nil, usageError{err}
		}
	}
	var projects []v1alpha1.AppProject
	if projectsPath != "" {
		if projects, err = readProjects(projectsPath, namespace); err != nil {
			return nil, usageError{err}
		}
	}
	e := Expander{Namespace: namespace, Secrets: secrets, Projects: projects}
	if len(repos) > 0 {
		e.Repos = repos
	}
	var apps []v1alpha1.Application
	for _, as := range appSets {
		got, err := e.Expand(&as)
		if err != nil {
			return nil, fmt.Errorf("ApplicationSet %s/%s: %w", as.Namespace, as.Name, err)
		}
		apps = append(apps, got...)
	}
	slices.SortStableFunc(apps, func(a, b v1alpha1.Application) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return marshal(apps)
}

// marshal writes the Applications as YAML documents with apiVersion and
// kind, without status and the zero creationTimestamp.
func marshal(apps []v1alpha1.Application) ([]byte, error) {
	var buf bytes.Buffer
	for i, a := range apps {
		data, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		m["apiVersion"] = v1alpha1.SchemeGroupVersion.String()
		m["kind"] = "Application"
		delete(m, "status")
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "creationTimestamp")
		}
		y, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(y)
	}
	return buf.Bytes(), nil
}

// doc is one YAML document of a file.
type doc struct {
	file string
	n    int
	data []byte
}

func (d doc) String() string { return fmt.Sprintf("%s: document %d", d.file, d.n) }

// readDocs splits the YAML files (a file, or a directory's *.yaml and
// *.yml files in name order) into documents, skipping empty ones.
func readDocs(path string) ([]doc, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no *.yaml or *.yml files", path)
		}
	}
	var docs []doc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for n := 1; ; n++ {
			b, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(bytes.TrimSpace(stripComments(b))) == 0 {
				continue
			}
			docs = append(docs, doc{file: f, n: n, data: b})
		}
	}
	return docs, nil
}

// stripComments drops comment lines, so a document of comments only counts
// as empty.
func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// typeMeta checks a document's apiVersion and kind.
func typeMeta(d doc, apiVersion, kind string) error {
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(d.data, &tm); err != nil {
		return fmt.Errorf("%s: %w", d, err)
	}
	if tm.APIVersion != apiVersion || tm.Kind != kind {
		return fmt.Errorf("%s: want apiVersion %s, kind %s; got %q, %q", d, apiVersion, kind, tm.APIVersion, tm.Kind)
	}
	return nil
}

func readAppSets(path, namespace string) ([]v1alpha1.ApplicationSet, error) {
	docs, err := readDocs(path)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s: no ApplicationSet", path)
	}
	var out []v1alpha1.ApplicationSet
	for _, d := range docs {
		if err := typeMeta(d, v1alpha1.SchemeGroupVersion.String(), "ApplicationSet"); err != nil {
			return nil, err
		}
		var as v1alpha1.ApplicationSet
		if err := yaml.UnmarshalStrict(d.data, &as); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		if as.Namespace == "" {
			as.Namespace = namespace
		}
		out = append(out, as)
	}
	return out, nil
}

func readSecrets(path, namespace string) ([]corev1.Secret, error) {
	docs, err := readDocs(path)
	if err != nil {
		return nil, err
	}
	seen := map[string]doc{}
	var out []corev1.Secret
	for _, d := range docs {
		if err := typeMeta(d, "v1", "Secret"); err != nil {
			return nil, err
		}
		var s corev1.Secret
		if err := yaml.UnmarshalStrict(d.data, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		if s.Namespace == "" {
			s.Namespace = namespace
		}
		key := s.Namespace + "/" + s.Name
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s: Secret %s is also in %s", d, key, prev)
		}
		seen[key] = d
		for k, v := range s.StringData {
			if s.Data == nil {
				s.Data = map[string][]byte{}
			}
			s.Data[k] = []byte(v)
		}
		s.StringData = nil
		out = append(out, s)
	}
	return out, nil
}

func readProjects(path, namespace string) ([]v1alpha1.AppProject, error) {
	docs, err := readDocs(path)
	if err != nil {
		return nil, err
	}
	seen := map[string]doc{}
	var out []v1alpha1.AppProject
	for _, d := range docs {
		if err := typeMeta(d, v1alpha1.SchemeGroupVersion.String(), "AppProject"); err != nil {
			return nil, err
		}
		var p v1alpha1.AppProject
		if err := yaml.UnmarshalStrict(d.data, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		if p.Namespace == "" {
			p.Namespace = namespace
		}
		key := p.Namespace + "/" + p.Name
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s: AppProject %s is also in %s", d, key, prev)
		}
		seen[key] = d
		out = append(out, p)
	}
	return out, nil
}
