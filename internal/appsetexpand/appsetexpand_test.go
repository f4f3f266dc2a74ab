package appsetexpand

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/testenv"
)

// TestClusterGenerator expands a hand-written ApplicationSet over two fleet
// cluster Secrets, a cluster outside the fleet and a Secret that is no
// cluster: Argo CD's cluster generator keeps the two, normalizes one name,
// and the template renders their labels.
func TestClusterGenerator(t *testing.T) {
	o := Options{AppSets: "testdata/applicationset.yaml", Clusters: "testdata/clusters"}
	out, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/applications.golden.yaml", out)

	apps, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	type app struct{ name, destination, env, path string }
	want := []app{
		{"milvus-prod-use1", "prod-use1", "prod", "clusters/prod-use1/milvus"},
		{"milvus-staging-eu", "Staging_EU", "staging", "clusters/Staging_EU/milvus"},
	}
	if len(apps) != len(want) {
		t.Fatalf("got %d Applications, want %d:\n%s", len(apps), len(want), out)
	}
	for i, w := range want {
		a := apps[i]
		dest, _, _ := unstructured.NestedString(a.Object, "spec", "destination", "name")
		sources, _, _ := unstructured.NestedSlice(a.Object, "spec", "sources")
		var path string
		if len(sources) > 0 {
			path, _, _ = unstructured.NestedString(sources[0].(map[string]any), "path")
		}
		got := app{a.GetName(), dest, a.GetLabels()["milvusgen.io/environment"], path}
		if got != w || a.GetNamespace() != "argocd" || a.GetKind() != "Application" {
			t.Errorf("Application %d = %+v in %q (%s), want %+v in argocd", i, got, a.GetNamespace(), a.GetKind(), w)
		}
		// spec.syncPolicy.preserveResourcesOnDeletion drops the finalizer
		// Argo CD otherwise adds.
		if f := a.GetFinalizers(); len(f) != 0 {
			t.Errorf("%s: finalizers %v, want none", a.GetName(), f)
		}
	}
}

const annotated = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: annotated
spec:
  goTemplate: true
  goTemplateOptions: [OPTIONS]
  generators:
    - clusters: {}
  template:
    metadata:
      name: 'milvus-{{ .nameNormalized }}'
    spec:
      project: default
      source:
        repoURL: https://git.example.com/platform/milvus.git
        path: '{{ .metadata.labels.environment }}'
      destination:
        name: '{{ .name }}'
        namespace: milvus
`

const cluster = `apiVersion: v1
kind: Secret
metadata:
  name: cluster-a
  labels:
    argocd.argoproj.io/secret-type: cluster
stringData:
  name: a
  server: https://a.example.com
`

// TestMissingKey: with goTemplateOptions missingkey=error, a label the
// cluster Secret lacks fails the render with Argo CD's error; without the
// option Go's template prints "<no value>". (index, as in
// {{ index .metadata.labels "x" }}, returns "" for a missing key either way.)
func TestMissingKey(t *testing.T) {
	_, err := RunYAML(t, []byte(strings.Replace(annotated, "OPTIONS", `"missingkey=error"`, 1)), []byte(cluster))
	var e *Error
	if !errors.As(err, &e) || e.ExitCode != 1 ||
		!strings.Contains(e.Message, "RenderTemplateParamsError") ||
		!strings.Contains(e.Message, `map has no entry for key "environment"`) {
		t.Fatalf("err = %v, want Argo CD's missingkey error with exit code 1", err)
	}

	apps := ExpandYAML(t, []byte(strings.Replace(annotated, "OPTIONS", "", 1)), []byte(cluster))
	// No selector: the generator adds the in-cluster destination, which has
	// no Secret, after the Secrets' clusters.
	var names, paths []string
	for _, a := range apps {
		p, _, _ := unstructured.NestedString(a.Object, "spec", "source", "path")
		names, paths = append(names, a.GetName()), append(paths, p)
	}
	if strings.Join(names, ",") != "milvus-a,milvus-in-cluster" || paths[0] != "<no value>" {
		t.Fatalf("names %v, paths %q: want milvus-a and milvus-in-cluster, path <no value>", names, paths)
	}
}

// TestMatrix: a matrix of the cluster and list generators, both run by
// Argo CD's matrix generator.
func TestMatrix(t *testing.T) {
	const appSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: matrix
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - matrix:
        generators:
          - clusters:
              selector:
                matchLabels:
                  argocd.argoproj.io/secret-type: cluster
          - list:
              elements:
                - release: milvus-a
                - release: milvus-b
  template:
    metadata:
      name: '{{ .release }}-{{ .nameNormalized }}'
    spec:
      project: default
      source:
        repoURL: https://git.example.com/platform/milvus.git
        path: 'clusters/{{ .name }}/{{ .release }}'
      destination:
        server: '{{ .server }}'
        namespace: '{{ .release }}'
`
	apps := ExpandYAML(t, []byte(appSet), []byte(cluster))
	var names []string
	for _, a := range apps {
		names = append(names, a.GetName())
	}
	if got := strings.Join(names, ","); got != "milvus-a-a,milvus-b-a" {
		t.Fatalf("Applications %s, want milvus-a-a,milvus-b-a", got)
	}
}

// TestUnknownProject: with AppProjects given, an Application whose
// project is not among them is refused with the controller's message.
func TestUnknownProject(t *testing.T) {
	dir := t.TempDir()
	o := Options{AppSets: "testdata/applicationset.yaml", Clusters: "testdata/clusters", Projects: filepath.Join(dir, "project.yaml")}
	if err := os.WriteFile(o.Projects, []byte(project), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Run(o)
	var e *Error
	if !errors.As(err, &e) || e.ExitCode != 1 || !strings.Contains(e.Message, "Application argocd/milvus-prod-use1: application references project milvus-fleet which does not exist") {
		t.Fatalf("err = %v, want the unknown project milvus-fleet", err)
	}
}

// TestDuplicateNames: two generated Applications with one name are
// refused with the controller's message.
func TestDuplicateNames(t *testing.T) {
	const appSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: twins
spec:
  goTemplate: true
  generators:
    - list:
        elements: [{cluster: a}, {cluster: b}]
  template:
    metadata:
      name: milvus
    spec:
      project: default
      source: {repoURL: https://git.example.com/platform/milvus.git, path: '{{ .cluster }}'}
      destination: {name: '{{ .cluster }}', namespace: milvus}
`
	_, err := RunYAML(t, []byte(appSet))
	var e *Error
	if !errors.As(err, &e) || e.ExitCode != 1 || !strings.Contains(e.Message, "ApplicationSet twins contains applications with duplicate name: milvus") {
		t.Fatalf("err = %v, want the duplicate name milvus", err)
	}
}

// TestBadInput: input that is not an ApplicationSet is refused as bad
// input (exit code 2), naming the file and document.
func TestBadInput(t *testing.T) {
	_, err := RunYAML(t, []byte(cluster))
	var e *Error
	if !errors.As(err, &e) || e.ExitCode != 2 || !strings.Contains(e.Message, "applicationsets.yaml: document 1: want apiVersion argoproj.io/v1alpha1, kind ApplicationSet") {
		t.Fatalf("err = %v, want a usage error naming the document", err)
	}
}

// TestMissingBinary: without the binary the error says how to build it.
func TestMissingBinary(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(testenv.BinEnv, dir)
	_, err := Run(Options{AppSets: "testdata/applicationset.yaml"})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "appset-expand")+" not found: run make testenv") {
		t.Fatalf("err = %v, want the path and make testenv", err)
	}
}

const project = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: default
spec:
  sourceRepos: ["*"]
  destinations: [{name: "*", namespace: "*"}]
`

// TestGitDirectories: a matrix of the cluster generator and the Git
// directory generator, the repository served from a local directory. The
// Git generator reads the template's AppProject, as in Argo CD.
func TestGitDirectories(t *testing.T) {
	repo := t.TempDir()
	for _, d := range []string{"releases/milvus-a", "releases/milvus-b", "releases/.hidden", "docs"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	const appSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: git
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - matrix:
        generators:
          - clusters:
              selector:
                matchLabels:
                  argocd.argoproj.io/secret-type: cluster
          - git:
              repoURL: https://git.example.com/platform/milvus.git
              revision: main
              directories:
                - path: releases/*
  template:
    metadata:
      name: '{{ .path.basename }}-{{ .nameNormalized }}'
    spec:
      project: default
      source:
        repoURL: https://git.example.com/platform/milvus.git
        path: '{{ .path.path }}'
      destination:
        name: '{{ .name }}'
        namespace: '{{ .path.basename }}'
`
	dir := t.TempDir()
	o := Options{
		AppSets:  filepath.Join(dir, "appset.yaml"),
		Clusters: filepath.Join(dir, "cluster.yaml"),
		Projects: filepath.Join(dir, "project.yaml"),
		Repos:    map[string]string{"https://git.example.com/platform/milvus.git": repo},
	}
	if err := os.WriteFile(o.AppSets, []byte(appSet), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(o.Clusters, []byte(cluster), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(o.Projects, []byte(project), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range Expand(t, o) {
		p, _, _ := unstructured.NestedString(a.Object, "spec", "source", "path")
		got = append(got, a.GetName()+"="+p)
	}
	if s := strings.Join(got, ","); s != "milvus-a-a=releases/milvus-a,milvus-b-a=releases/milvus-b" {
		t.Fatalf("Applications %s, want milvus-a-a=releases/milvus-a,milvus-b-a=releases/milvus-b (hidden directories skipped)", s)
	}
}
