// Package appsetexpand runs appset-expand (hack/appset) for tests: it
// expands Argo CD ApplicationSets into the Applications Argo CD v3.5.1's
// ApplicationSet controller would create, with Argo CD's own generator and
// template code, from cluster Secrets given as YAML. The command lives in a
// module of its own because argo-cd's replace directives are not inherited
// by a module that imports it; hack/testenv/build.sh (make testenv) builds
// it into .cache/testenv/bin beside the API server binaries.
//
//	apps := appsetexpand.Expand(t, appsetexpand.Options{
//		AppSets:  filepath.Join(hub, "applicationsets"), // file or directory
//		Clusters: clusterSecretsDir,                     // cluster Secrets' YAML
//		Projects: filepath.Join(hub, "appproject.yaml"), // optional
//	})
//	// apps: the Applications, sorted by namespace and name.
//
//	_, err := appsetexpand.Run(opts) // *Error{ExitCode, Message} when Argo CD refuses
//
// A test fails, naming make testenv, when the binary is missing.
package appsetexpand

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/testenv"
)

// BinaryName is the command's file name in testenv.BinDir.
const BinaryName = "appset-expand"

// Binary returns the path of appset-expand, or an error that says how to
// build it.
func Binary() (string, error) {
	dir, err := testenv.BinDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, BinaryName)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found: run make testenv (hack/testenv/build.sh) to build it, or set %s to the directory holding it", p, testenv.BinEnv)
	}
	return p, nil
}

// Options are one run's inputs.
type Options struct {
	// AppSets is a YAML file, or a directory of *.yaml and *.yml files, of
	// one or more ApplicationSets (required).
	AppSets string
	// Clusters is a YAML file, or a directory of *.yaml and *.yml files, of
	// Secrets; "" for none. The cluster generator reads those labelled
	// argocd.argoproj.io/secret-type: cluster in Namespace.
	Clusters string
	// Projects is a YAML file, or a directory, of AppProjects; "" for none.
	// The Git generator reads the template's project; when given, every
	// generated Application's project must be one of them.
	Projects string
	// Namespace is Argo CD's namespace, and the namespace of inputs that
	// have none; "" is argocd.
	Namespace string
	// Repos serve the Git generator: repository URL to a local directory
	// standing for its revision.
	Repos map[string]string
}

// Error is a failed run: Argo CD's error (prefixed with the ApplicationSet
// and the controller's reason, e.g. RenderTemplateParamsError) or bad
// input.
type Error struct {
	// ExitCode is 1 when Argo CD's code failed, 2 for bad usage or input.
	ExitCode int
	// Message is the command's stderr, trimmed.
	Message string
}

func (e *Error) Error() string { return e.Message }

// Run runs appset-expand and returns the generated Applications as YAML
// documents sorted by namespace and name, or an *Error.
func Run(o Options) ([]byte, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	args := []string{"--appset", o.AppSets}
	if o.Clusters != "" {
		args = append(args, "--clusters", o.Clusters)
	}
	if o.Projects != "" {
		args = append(args, "--projects", o.Projects)
	}
	if o.Namespace != "" {
		args = append(args, "--namespace", o.Namespace)
	}
	urls := make([]string, 0, len(o.Repos))
	for u := range o.Repos {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		args = append(args, "--repo", u+"="+o.Repos[u])
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, &Error{ExitCode: exit.ExitCode(), Message: strings.TrimSpace(stderr.String())}
		}
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	return stdout.Bytes(), nil
}

// Expand runs appset-expand and returns the Applications, failing t when
// the binary is missing or the expansion fails.
func Expand(t testing.TB, o Options) []*unstructured.Unstructured {
	t.Helper()
	out, err := Run(o)
	if err != nil {
		t.Fatalf("appsetexpand: %v", err)
	}
	apps, err := Parse(out)
	if err != nil {
		t.Fatalf("appsetexpand: %v", err)
	}
	return apps
}

// ExpandYAML is Expand for inputs held in memory: appSets is the
// ApplicationSets' YAML, clusters the Secrets' YAML (each may hold several
// documents); Argo CD's namespace is argocd.
func ExpandYAML(t testing.TB, appSets []byte, clusters ...[]byte) []*unstructured.Unstructured {
	t.Helper()
	o, err := writeInputs(t.TempDir(), appSets, clusters)
	if err != nil {
		t.Fatal(err)
	}
	return Expand(t, o)
}

// RunYAML is Run for inputs held in memory, for tests that expect an error.
func RunYAML(t testing.TB, appSets []byte, clusters ...[]byte) ([]byte, error) {
	t.Helper()
	o, err := writeInputs(t.TempDir(), appSets, clusters)
	if err != nil {
		t.Fatal(err)
	}
	return Run(o)
}

func writeInputs(dir string, appSets []byte, clusters [][]byte) (Options, error) {
	o := Options{AppSets: filepath.Join(dir, "applicationsets.yaml")}
	if err := os.WriteFile(o.AppSets, appSets, 0o600); err != nil {
		return o, err
	}
	if len(clusters) > 0 {
		o.Clusters = filepath.Join(dir, "clusters")
		if err := os.Mkdir(o.Clusters, 0o700); err != nil {
			return o, err
		}
		for i, c := range clusters {
			if err := os.WriteFile(filepath.Join(o.Clusters, fmt.Sprintf("%03d.yaml", i)), c, 0o600); err != nil {
				return o, err
			}
		}
	}
	return o, nil
}

// Parse splits appset-expand's output into objects.
func Parse(out []byte) ([]*unstructured.Unstructured, error) {
	var apps []*unstructured.Unstructured
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return apps, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			return nil, err
		}
		apps = append(apps, u)
	}
}
