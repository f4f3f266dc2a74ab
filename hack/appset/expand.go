package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/services"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

// Expander runs Argo CD's ApplicationSet generators and template rendering,
// as the ApplicationSet controller's reconcile does, on cluster Secrets held
// by a fake controller-runtime client instead of an API server.
type Expander struct {
	// Namespace is Argo CD's namespace: the cluster generator lists the
	// cluster Secrets of this namespace only.
	Namespace string
	// Secrets are the cluster Secrets (and any other Secrets: the generator
	// selects by label itself).
	Secrets []corev1.Secret
	// Projects are AppProjects: the Git generator reads the template's
	// project, and when any are given every generated Application's
	// project must be one of them, as the controller checks.
	Projects []v1alpha1.AppProject
	// Repos answers the Git generator; nil makes it fail.
	Repos services.Repos
}

// Expand returns the Applications that the ApplicationSet controller of
// Argo CD v3.5.1 would create for appSet, sorted by namespace and name, or
// the first error Argo CD's code gives (as the controller records it in the
// ApplicationSet's ErrorOccurred condition), prefixed with its reason. The
// cluster generator walks a map, so when several clusters fail, which one's
// error comes first varies between runs.
func (e Expander) Expand(appSet *v1alpha1.ApplicationSet) ([]v1alpha1.Application, error) {
	c, err := e.client()
	if err != nil {
		return nil, err
	}
	logCtx := log.WithField("applicationset", appSet.Name)
	apps, reason, err := template.GenerateApplications(logCtx, *appSet, e.generators(c), &utils.Render{}, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", reason, err)
	}
	slices.SortFunc(apps, func(a, b v1alpha1.Application) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	if err := e.validate(appSet.Name, apps); err != nil {
		return nil, err
	}
	return apps, nil
}

// client is a fake controller-runtime client holding the Secrets.
func (e Expander) client() (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	b := fake.NewClientBuilder().WithScheme(scheme)
	for i := range e.Secrets {
		b = b.WithObjects(&e.Secrets[i])
	}
	for i := range e.Projects {
		b = b.WithObjects(&e.Projects[i])
	}
	return b.Build(), nil
}

// generators is generators.GetGenerators' table with the generators that
// need a live service (SCM and pull-request APIs, the plugin service, duck
// typed resources) replaced by one that fails naming itself: a nil entry
// would panic in generators.Transform.
func (e Expander) generators(c client.Client) map[string]generators.Generator {
	var git generators.Generator = unsupported{"Git", "give the repository with --repo URL=DIR"}
	if e.Repos != nil {
		git = generators.NewGitGenerator(e.Repos, e.Namespace)
	}
	terminal := map[string]generators.Generator{
		"List":                    generators.NewListGenerator(),
		"Clusters":                generators.NewClusterGenerator(c, e.Namespace),
		"Git":                     git,
		"SCMProvider":             unsupported{"SCMProvider", "it calls an SCM provider's API"},
		"ClusterDecisionResource": unsupported{"ClusterDecisionResource", "it reads a duck-typed resource from the cluster"},
		"PullRequest":             unsupported{"PullRequest", "it calls an SCM provider's API"},
		"Plugin":                  unsupported{"Plugin", "it calls a plugin service"},
	}
	nested := maps.Clone(terminal)
	nested["Matrix"] = generators.NewMatrixGenerator(terminal)
	nested["Merge"] = generators.NewMergeGenerator(terminal)
	top := maps.Clone(terminal)
	top["Matrix"] = generators.NewMatrixGenerator(nested)
	top["Merge"] = generators.NewMergeGenerator(nested)
	return top
}

// validate makes the checks of the controller's
// validateGeneratedApplications (applicationset/controllers/
// applicationset_controller.go) that need no cluster database, with its
// messages: two generated Applications with one name, and (when AppProjects
// are given) a project that does not exist in Argo CD's namespace. The
// destination check needs Argo CD's cluster database and is left out.
func (e Expander) validate(appSet string, apps []v1alpha1.Application) error {
	seen := map[string]bool{}
	projects := map[string]bool{}
	for _, p := range e.Projects {
		if p.Namespace == e.Namespace {
			projects[p.Name] = true
		}
	}
	for _, a := range apps {
		if seen[a.Name] {
			return fmt.Errorf("ApplicationSet %s contains applications with duplicate name: %s", appSet, a.Name)
		}
		seen[a.Name] = true
		if len(e.Projects) > 0 && !projects[a.Spec.Project] {
			return fmt.Errorf("Application %s: application references project %s which does not exist", a.QualifiedName(), a.Spec.Project)
		}
	}
	return nil
}

// unsupported stands for a generator that needs a service appset-expand
// does not run.
type unsupported struct{ name, why string }

func (u unsupported) GenerateParams(*v1alpha1.ApplicationSetGenerator, *v1alpha1.ApplicationSet, client.Client) ([]map[string]any, error) {
	return nil, fmt.Errorf("appset-expand does not run the %s generator: %s", u.name, u.why)
}

func (u unsupported) GetRequeueAfter(*v1alpha1.ApplicationSetGenerator) time.Duration {
	return generators.NoRequeueAfter
}

func (u unsupported) GetTemplate(*v1alpha1.ApplicationSetGenerator) *v1alpha1.ApplicationSetTemplate {
	return &v1alpha1.ApplicationSetTemplate{}
}
