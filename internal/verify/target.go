package verify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/agreement"
	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// Identities eksctl can bind the Milvus service account with.
const (
	IdentityIRSA        = "irsa"
	IdentityPodIdentity = "podIdentity"
)

// The annotations verify compares with the cluster.
const (
	schemeAnnotation  = "service.beta.kubernetes.io/aws-load-balancer-scheme"
	roleARNAnnotation = "eks.amazonaws.com/role-arn"
)

// Value is a name read from the rendered tree and where it is, so that a
// mismatch with the cluster can name the file and field.
type Value struct {
	Val string
	At  agreement.Location
}

// Target is what verify checks: the names the rendered tree gives the
// Milvus release, its Service, credentials and identity.
type Target struct {
	Release   string // Helm release name
	Namespace string
	// Name is the chart's name label (app.kubernetes.io/name); Service is
	// the chart's fullname, the name of the proxies' Service.
	Name, Service string
	Port          int
	Scheme        Value // load balancer scheme annotation

	Auth bool
	// PasswordSecret and PasswordKey hold the root password (the secretKeyRef
	// of the proxies' COMMON_SECURITY_DEFAULTROOTPASSWORD).
	PasswordSecret, PasswordKey string

	TLSMode   int
	TLSSecret string

	// LoadReplicas is the in-memory replica number collections load with,
	// queryCoord.clusterLevelLoadReplicaNumber of user.yaml (Milvus's
	// default, 1, when the tree sets none).
	LoadReplicas int
	// MilvusVersion is the Milvus image tag the tree pins (image.all.tag
	// of the values), empty when it leaves the version to the chart.
	MilvusVersion Value

	ClusterName, Region string
	Partition, Account  string
	ServiceAccount      string
	Identity            string // IdentityIRSA or IdentityPodIdentity
	// RoleName is the IAM role eksctl creates for the service account when
	// the ClusterConfig names it; empty when CloudFormation names it.
	RoleName Value
	// Identity is where the rendered tree binds the service account.
	IdentityAt agreement.Location
}

// RoleStackName is the CloudFormation stack eksctl creates the service
// account's role in (eksctl pkg/cfn/manager/iam.go for IRSA,
// pkg/actions/podidentityassociation for pod identity). Without a roleName
// the role is named by CloudFormation: <stack name, cut>-Role1-<suffix>.
func (t *Target) RoleStackName() string {
	if t.Identity == IdentityPodIdentity {
		return fmt.Sprintf("eksctl-%s-podidentityrole-%s-%s", t.ClusterName, t.Namespace, t.ServiceAccount)
	}
	return fmt.Sprintf("eksctl-%s-addon-iamserviceaccount-%s-%s", t.ClusterName, t.Namespace, t.ServiceAccount)
}

// TargetError is a rendered tree verify cannot read a target from.
type TargetError struct {
	Problems []agreement.Problem
}

func (e *TargetError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	fmt.Fprintf(&b, "the rendered tree cannot be verified against (%d problem", n)
	if n > 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// ReadTarget reads the target from a rendered tree (the directory given to
// milvusgen render -o). The tree must first pass the checks of
// `milvusgen validate --rendered` (agreement.Check): when its files disagree
// on a name, which one the cluster should hold is unknown, so the
// disagreements are returned as a *TargetError.
func ReadTarget(fsys fs.FS) (*Target, error) {
	if problems := agreement.Check(fsys); len(problems) > 0 {
		return nil, &TargetError{problems}
	}
	r := &reader{t: &Target{}}
	r.readEksctl(fsys)
	r.readMilvusRelease(fsys)
	if len(r.problems) > 0 {
		return nil, &TargetError{r.problems}
	}
	return r.t, nil
}

// RenderedFS renders a spec in memory, for ReadTarget: verify -f reads the
// tree the spec renders exactly as verify --rendered reads one on disk.
func RenderedFS(s *model.Spec) (fs.FS, error) {
	files, err := render.Render(s)
	if err != nil {
		return nil, err
	}
	if s.UsesArgoCDHub() {
		// The tree holds no Application: the hub generates them. Read the
		// ones it generates for this cluster, values inlined.
		apps, err := argocd.SpokeApplications(s, files)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			a.Path = "kubernetes/hub/" + a.Path
			files = append(files, a)
		}
	}
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.Path] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	return m, nil
}

type reader struct {
	t        *Target
	problems []agreement.Problem
}

func (r *reader) problem(at agreement.Location, format string, args ...any) {
	r.problems = append(r.problems, agreement.Problem{At: at, Msg: fmt.Sprintf(format, args...)})
}

func (r *reader) readEksctl(fsys fs.FS) {
	// agreement.Check has read and parsed this file already.
	data, _ := input.ReadFS(fsys, manifest.EksctlFile, input.TreeFile)
	var c agreement.ClusterConfig
	_ = yaml.Unmarshal(data, &c)
	t := r.t
	t.ClusterName, t.Region = c.Metadata.Name, c.Metadata.Region
	// The Milvus identity is found the way internal/agreement finds it: the
	// service account labelled for Milvus, else the pod identity
	// association bound to a customer-managed policy.
	for i, sa := range c.IAM.ServiceAccounts {
		if sa.Metadata.Labels["aws-usage"] == "milvus" {
			t.Identity = IdentityIRSA
			t.IdentityAt = agreement.Location{File: manifest.EksctlFile, Field: fmt.Sprintf("iam.serviceAccounts[%d]", i)}
			t.RoleName = Value{sa.RoleName, agreement.Location{File: manifest.EksctlFile, Field: t.IdentityAt.Field + ".roleName"}}
			r.account(sa.AttachPolicyARNs)
			return
		}
	}
	for i, p := range c.IAM.PodIdentityAssociations {
		if arns := customerPolicies(p.PermissionPolicyARNs); len(arns) > 0 {
			t.Identity = IdentityPodIdentity
			t.IdentityAt = agreement.Location{File: manifest.EksctlFile, Field: fmt.Sprintf("iam.podIdentityAssociations[%d]", i)}
			t.RoleName = Value{p.RoleName, agreement.Location{File: manifest.EksctlFile, Field: t.IdentityAt.Field + ".roleName"}}
			r.account(arns)
			return
		}
	}
	r.problem(agreement.Location{File: manifest.EksctlFile, Field: "iam"}, "no IAM identity for Milvus")
}

// account takes the partition and account from the customer-managed policy
// bound to Milvus.
func (r *reader) account(arns []string) {
	for _, a := range customerPolicies(arns) {
		p := strings.SplitN(a, ":", 6)
		r.t.Partition, r.t.Account = p[1], p[4]
		return
	}
}

func customerPolicies(arns []string) []string {
	var out []string
	for _, a := range arns {
		if p := strings.SplitN(a, ":", 6); len(p) == 6 && p[0] == "arn" && p[2] == "iam" && p[4] != "aws" {
			out = append(out, a)
		}
	}
	return out
}

// milvusValues is the part of the Milvus chart's values verify reads.
type milvusValues struct {
	FullnameOverride string `json:"fullnameOverride"`
	NameOverride     string `json:"nameOverride"`
	Service          struct {
		Port        int               `json:"port"`
		Annotations map[string]string `json:"annotations"`
	} `json:"service"`
	ServiceAccount struct {
		Name string `json:"name"`
	} `json:"serviceAccount"`
	ExtraConfigFiles map[string]string `json:"extraConfigFiles"`
	Image            struct {
		All struct {
			Tag string `json:"tag"`
		} `json:"all"`
	} `json:"image"`
	Proxy struct {
		ExtraEnv []struct {
			Name      string `json:"name"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name string `json:"name"`
					Key  string `json:"key"`
				} `json:"secretKeyRef"`
			} `json:"valueFrom"`
		} `json:"extraEnv"`
	} `json:"proxy"`
	Volumes []struct {
		Name   string `json:"name"`
		Secret *struct {
			SecretName string `json:"secretName"`
		} `json:"secret"`
	} `json:"volumes"`
	VolumeMounts []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
	} `json:"volumeMounts"`
}

// userConfig is the part of user.yaml (milvus.yaml overrides) verify reads.
type userConfig struct {
	Common struct {
		Security struct {
			AuthorizationEnabled bool `json:"authorizationEnabled"`
			TLSMode              int  `json:"tlsMode"`
		} `json:"security"`
	} `json:"common"`
	QueryCoord struct {
		ClusterLevelLoadReplicaNumber *int `json:"clusterLevelLoadReplicaNumber"`
	} `json:"queryCoord"`
}

// defaultPort is the chart's service.port.
const defaultPort = 19530

func (r *reader) readMilvusRelease(fsys fs.FS) {
	var found []struct {
		file string
		hr   *helmv2.HelmRelease
	}
	err := fs.WalkDir(fsys, "kubernetes", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (path.Ext(p) != ".yaml" && path.Ext(p) != ".yml") {
			return nil
		}
		data, err := input.ReadFS(fsys, p, input.TreeFile)
		if err != nil {
			return err
		}
		yr := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := yr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			var head struct{ APIVersion, Kind string }
			if yaml.Unmarshal(doc, &head) != nil {
				continue
			}
			var hr *helmv2.HelmRelease
			switch {
			case head.Kind == helmv2.HelmReleaseKind:
				hr = &helmv2.HelmRelease{}
				if yaml.Unmarshal(doc, hr) != nil {
					continue
				}
			case head.APIVersion == v1alpha1.APIVersion && head.Kind == v1alpha1.ApplicationKind:
				// An Argo CD Application, as the HelmRelease it stands for.
				app := &v1alpha1.Application{}
				if yaml.Unmarshal(doc, app) != nil {
					continue
				}
				hr = argocd.HelmRelease(app)
			}
			if hr == nil || hr.Spec.Chart == nil || hr.Spec.Chart.Spec.Chart != manifest.MilvusChart {
				continue
			}
			found = append(found, struct {
				file string
				hr   *helmv2.HelmRelease
			}{p, hr})
		}
	})
	if err != nil {
		r.problem(agreement.Location{File: "kubernetes"}, "reading the tree failed: %v", err)
		return
	}
	if len(found) == 0 {
		if _, err := fs.Stat(fsys, "argocd/values/"+manifest.MilvusChart+".yaml"); err == nil {
			// A hub Argo CD's tree: the Application is the hub's.
			r.problem(agreement.Location{File: "argocd/values"}, "the tree is synced by a hub Argo CD (gitops.argocd.mode \"hub\"), whose ApplicationSets hold the release; verify with -f and the spec files instead of --rendered")
			return
		}
	}
	if len(found) != 1 {
		r.problem(agreement.Location{File: "kubernetes"}, "want one HelmRelease of chart %q, found %d", manifest.MilvusChart, len(found))
		return
	}
	file, hr := found[0].file, found[0].hr
	at := func(field string) agreement.Location {
		return agreement.Location{File: file, Object: "HelmRelease/" + hr.Namespace + "/" + hr.Name, Field: field}
	}
	t := r.t
	t.Release = hr.GetReleaseName()
	t.Namespace = hr.GetReleaseNamespace()
	var v milvusValues
	if hr.Spec.Values != nil {
		if err := json.Unmarshal(hr.Spec.Values.Raw, &v); err != nil {
			r.problem(at("spec.values"), "parsing the values failed: %v", err)
			return
		}
	}
	t.Name, t.Service = chartNames(t.Release, v.NameOverride, v.FullnameOverride)
	t.Port = v.Service.Port
	if t.Port == 0 {
		t.Port = defaultPort
	}
	t.Scheme = Value{v.Service.Annotations[schemeAnnotation], at("spec.values.service.annotations[" + schemeAnnotation + "]")}
	if t.Scheme.Val == "" {
		r.problem(t.Scheme.At, "the load balancer scheme is not set")
	}
	t.ServiceAccount = v.ServiceAccount.Name

	var uc userConfig
	if s, ok := v.ExtraConfigFiles["user.yaml"]; ok {
		if err := yaml.Unmarshal([]byte(s), &uc); err != nil {
			r.problem(at("spec.values.extraConfigFiles[user.yaml]"), "parsing user.yaml failed: %v", err)
		}
	}
	t.Auth = uc.Common.Security.AuthorizationEnabled
	t.TLSMode = uc.Common.Security.TLSMode
	t.LoadReplicas = 1
	if n := uc.QueryCoord.ClusterLevelLoadReplicaNumber; n != nil {
		t.LoadReplicas = *n
		if *n < 1 {
			r.problem(at("spec.values.extraConfigFiles[user.yaml]"), "queryCoord.clusterLevelLoadReplicaNumber is %d; Milvus loads at least 1 replica", *n)
		}
	}
	if tag := v.Image.All.Tag; tag != "" {
		t.MilvusVersion = Value{tag, at("spec.values.image.all.tag")}
	}
	if t.Auth {
		for _, e := range v.Proxy.ExtraEnv {
			if e.Name == model.RootPasswordEnv && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				t.PasswordSecret, t.PasswordKey = e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key
			}
		}
		if t.PasswordSecret == "" {
			r.problem(at("spec.values.proxy.extraEnv"), "authentication is on but no %s comes from a Secret", model.RootPasswordEnv)
		}
	}
	if t.TLSMode > 0 {
		// The certificates are the Secret of the volume mounted at
		// model.TLSMountPath.
		for _, m := range v.VolumeMounts {
			if m.MountPath != model.TLSMountPath {
				continue
			}
			for _, vol := range v.Volumes {
				if vol.Name == m.Name && vol.Secret != nil {
					t.TLSSecret = vol.Secret.SecretName
				}
			}
		}
		if t.TLSSecret == "" {
			r.problem(at("spec.values.volumes"), "TLS mode %d but no Secret is mounted at %s", t.TLSMode, model.TLSMountPath)
		}
	}
}

// chartNames are the Milvus chart's milvus.name and milvus.fullname
// (templates/_helpers.tpl): the fullname is the release name when it
// contains the chart name, else <release>-<name>, cut to 63 characters.
func chartNames(release, nameOverride, fullnameOverride string) (name, fullname string) {
	trunc := func(s string) string {
		if len(s) > 63 {
			s = s[:63]
		}
		return strings.TrimSuffix(s, "-")
	}
	name = manifest.MilvusChart
	if nameOverride != "" {
		name = nameOverride
	}
	switch {
	case fullnameOverride != "":
		fullname = trunc(fullnameOverride)
	case strings.Contains(release, name):
		fullname = trunc(release)
	default:
		fullname = trunc(release + "-" + name)
	}
	return trunc(name), fullname
}
