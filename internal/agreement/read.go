package agreement

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/iam"
)

// Files Check reads besides the HelmReleases and Applications, relative to
// the tree root.
const (
	iamGlob       = "aws/iam/*.json"
	bootstrapFile = "aws/bootstrap.sh"
	teardownFile  = "aws/teardown.sh"
	convergeFile  = "aws/converge.sh"
)

// ClusterConfig is the part of eksctl's ClusterConfig that carries names
// other artifacts repeat; internal/verify reads its target from it too. It
// is decoded leniently: eksctl's own validation is the consumer tests' job,
// not this check's.
type ClusterConfig struct {
	Metadata struct {
		Name   string `json:"name"`
		Region string `json:"region"`
	} `json:"metadata"`
	IAM struct {
		ServiceAccounts []struct {
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
			RoleName          string            `json:"roleName"`
			AttachPolicyARNs  []string          `json:"attachPolicyARNs"`
			WellKnownPolicies wellKnownPolicies `json:"wellKnownPolicies"`
		} `json:"serviceAccounts"`
		PodIdentityAssociations []struct {
			Namespace            string            `json:"namespace"`
			ServiceAccountName   string            `json:"serviceAccountName"`
			RoleName             string            `json:"roleName"`
			PermissionPolicyARNs []string          `json:"permissionPolicyARNs"`
			WellKnownPolicies    wellKnownPolicies `json:"wellKnownPolicies"`
		} `json:"podIdentityAssociations"`
	} `json:"iam"`
	Addons []struct {
		Name                    string   `json:"name"`
		AttachPolicyARNs        []string `json:"attachPolicyARNs"`
		PodIdentityAssociations []struct {
			PermissionPolicyARNs []string `json:"permissionPolicyARNs"`
		} `json:"podIdentityAssociations"`
	} `json:"addons"`
}

type wellKnownPolicies struct {
	AWSLoadBalancerController bool `json:"awsLoadBalancerController"`
}

// identity is one IAM identity eksctl binds to a service account, through
// IRSA (iam.serviceAccounts) or EKS Pod Identity
// (iam.podIdentityAssociations).
type identity struct {
	field           string // e.g. iam.serviceAccounts[1]
	nameField       string // relative to field
	namespaceField  string
	policiesField   string
	name, namespace string
	policies        []string
	lbc, milvus     bool
}

func (t *tree) readEksctl() {
	f := manifest.EksctlFile
	data, err := input.ReadFS(t.fsys, f, input.TreeFile)
	if errors.Is(err, fs.ErrNotExist) {
		t.problem(Location{File: f}, "the eksctl ClusterConfig is missing")
		return
	}
	if err != nil {
		t.problem(Location{File: f}, "reading the eksctl ClusterConfig failed: %v", err)
		return
	}
	var c ClusterConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.problem(Location{File: f}, "parsing the eksctl ClusterConfig failed: %v", err)
		return
	}
	at := func(field string) Location { return Location{File: f, Field: field} }
	t.observe(clusterName, at("metadata.name"), c.Metadata.Name)
	t.observe(region, at("metadata.region"), c.Metadata.Region)
	t.observe(partition, at("metadata.region"), partitionOf(c.Metadata.Region))

	var ids []identity
	for i, sa := range c.IAM.ServiceAccounts {
		ids = append(ids, identity{
			field: fmt.Sprintf("iam.serviceAccounts[%d]", i), nameField: "metadata.name",
			namespaceField: "metadata.namespace", policiesField: "attachPolicyARNs",
			name: sa.Metadata.Name, namespace: sa.Metadata.Namespace, policies: sa.AttachPolicyARNs,
			lbc: sa.WellKnownPolicies.AWSLoadBalancerController, milvus: sa.Metadata.Labels["aws-usage"] == "milvus",
		})
	}
	for i, pia := range c.IAM.PodIdentityAssociations {
		ids = append(ids, identity{
			field: fmt.Sprintf("iam.podIdentityAssociations[%d]", i), nameField: "serviceAccountName",
			namespaceField: "namespace", policiesField: "permissionPolicyARNs",
			name: pia.ServiceAccountName, namespace: pia.Namespace, policies: pia.PermissionPolicyARNs,
			lbc: pia.WellKnownPolicies.AWSLoadBalancerController,
		})
	}
	for i, a := range c.Addons {
		t.observePolicyARNs(f, fmt.Sprintf("addons[%d].attachPolicyARNs", i), a.AttachPolicyARNs)
		for j, p := range a.PodIdentityAssociations {
			t.observePolicyARNs(f, fmt.Sprintf("addons[%d].podIdentityAssociations[%d].permissionPolicyARNs", i, j), p.PermissionPolicyARNs)
		}
	}
	for _, id := range ids {
		t.observePolicyARNs(f, id.field+"."+id.policiesField, id.policies)
	}

	// The Milvus identity is the one labelled for Milvus or, failing
	// that (Pod Identity has no labels), the one bound to a
	// customer-managed policy that is not the LB controller's.
	milvus := slices.IndexFunc(ids, func(id identity) bool { return id.milvus })
	if milvus < 0 {
		milvus = slices.IndexFunc(ids, func(id identity) bool { return !id.lbc && len(customerPolicies(id.policies)) > 0 })
	}
	if milvus < 0 {
		t.problem(at("iam"), "no IAM service account or pod identity association for Milvus (one bound to the Milvus S3 policy)")
	} else {
		id := ids[milvus]
		t.observe(milvusNamespace, at(id.field+"."+id.namespaceField), id.namespace)
		t.observe(milvusSA, at(id.field+"."+id.nameField), id.name)
		for j, p := range id.policies {
			if a, ok := parseARN(p); ok && a.account != "aws" {
				loc := at(fmt.Sprintf("%s.%s[%d]", id.field, id.policiesField, j))
				t.boundPolicies = append(t.boundPolicies, observation{loc, p})
				t.observe(milvusPolicyName, loc, a.policyName())
			}
		}
	}
	lbc := slices.IndexFunc(ids, func(id identity) bool { return id.lbc })
	if lbc < 0 {
		t.problem(at("iam"), "no IAM service account or pod identity association with wellKnownPolicies.awsLoadBalancerController")
	} else {
		id := ids[lbc]
		t.observe(lbcNamespace, at(id.field+"."+id.namespaceField), id.namespace)
		t.observe(lbcSA, at(id.field+"."+id.nameField), id.name)
	}
}

// customerPolicies returns the ARNs of customer-managed policies (not
// AWS-managed ones, whose account is "aws").
func customerPolicies(arns []string) []string {
	var out []string
	for _, s := range arns {
		if a, ok := parseARN(s); ok && a.service == "iam" && a.account != "aws" {
			out = append(out, s)
		}
	}
	return out
}

// observePolicyARNs records the partition and account of policy ARNs.
func (t *tree) observePolicyARNs(file, field string, arns []string) {
	for j, s := range arns {
		loc := Location{File: file, Field: fmt.Sprintf("%s[%d]", field, j)}
		a, ok := parseARN(s)
		if !ok {
			t.problem(loc, "%q is not an ARN", s)
			continue
		}
		t.observe(partition, loc, a.partition)
		if a.account != "aws" {
			t.observe(accountID, loc, a.account)
		}
	}
}

func (t *tree) readIAM() {
	paths, err := fs.Glob(t.fsys, iamGlob)
	if err != nil || len(paths) == 0 {
		t.problem(Location{File: path.Dir(iamGlob)}, "no IAM policy documents (%s)", iamGlob)
		return
	}
	buckets := 0
	for _, p := range paths {
		data, err := input.ReadFS(t.fsys, p, input.TreeFile)
		if err != nil {
			t.problem(Location{File: p}, "cannot read the IAM policy document: %v", err)
			continue
		}
		var doc iam.Document
		if err := json.Unmarshal(data, &doc); err != nil {
			t.problem(Location{File: p}, "parsing the IAM policy document failed: %v", err)
			continue
		}
		for i, st := range doc.Statement {
			for j, r := range st.Resource {
				a, ok := parseARN(r)
				if !ok {
					continue // "*" and the like are the IAM lint's concern
				}
				loc := Location{File: p, Field: fmt.Sprintf("Statement[%d].Resource[%d]", i, j)}
				t.observe(partition, loc, a.partition)
				switch a.service {
				case "s3":
					if p == iam.BackupFile {
						// milvus-backup's policy names the backup
						// location too (another prefix or bucket).
						continue
					}
					b, key, isObject := strings.Cut(a.resource, "/")
					t.observe(bucket, loc, b)
					buckets++
					if isObject {
						t.observe(rootPath, loc, strings.Trim(strings.TrimSuffix(key, "*"), "/"))
					}
				case "kms":
					// EBS volumes can only use a key in their own region.
					t.observe(region, loc, a.region)
				case "iam":
					if a.account != "aws" {
						t.observe(accountID, loc, a.account)
					}
					if strings.HasPrefix(a.resource, "policy/") {
						t.policyARNs = append(t.policyARNs, observation{loc, r})
					}
				}
			}
		}
	}
	if buckets == 0 {
		t.problem(Location{File: path.Dir(iamGlob)}, "no IAM policy document grants access to an S3 bucket")
	}
}

// helmRelease is a Helm release of the tree and where it is: a Flux
// HelmRelease, or an Argo CD Application with a Helm source (argocd.go).
type helmRelease struct {
	file   string
	object string // Kind/namespace/name
	chart  string
	// ns is the namespace the release installs into, at nsField.
	ns, nsField string
	// values are at valuesField.
	valuesField string
	values      map[string]any
}

func (r helmRelease) at(field string) Location {
	return Location{File: r.file, Object: r.object, Field: field}
}

// namespace is the namespace the release installs into, and its field.
func (r helmRelease) namespace() (string, Location) { return r.ns, r.at(r.nsField) }

// fromHelmRelease is a Flux HelmRelease as a helmRelease.
func fromHelmRelease(file string, hr *helmv2.HelmRelease, values map[string]any) helmRelease {
	r := helmRelease{file: file, object: "HelmRelease/" + hr.Namespace + "/" + hr.Name,
		ns: hr.Namespace, nsField: "metadata.namespace", valuesField: "spec.values", values: values}
	if hr.Spec.TargetNamespace != "" {
		r.ns, r.nsField = hr.Spec.TargetNamespace, "spec.targetNamespace"
	}
	if hr.Spec.Chart != nil {
		r.chart = hr.Spec.Chart.Spec.Chart
	}
	return r
}

// value observes the string at a dotted path of spec.values, if it is set.
func (t *tree) value(r helmRelease, what, path string) (string, bool) {
	var v any = r.values
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[k]
	}
	if v == nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		t.problem(r.at(r.valuesField+"."+path), "%s is %v (%T), want a string", what, v, v)
		return "", false
	}
	return s, true
}

func (t *tree) observeValue(r helmRelease, what, path string) {
	if s, ok := t.value(r, what, path); ok {
		t.observe(what, r.at(r.valuesField+"."+path), s)
	}
}

// requireValue observes a value the release must set.
func (t *tree) requireValue(r helmRelease, what, path string) {
	if s, ok := t.value(r, what, path); ok {
		t.observe(what, r.at(r.valuesField+"."+path), s)
	} else {
		t.problem(r.at(r.valuesField+"."+path), "%s is not set", what)
	}
}

func (t *tree) readHelmReleases() {
	var milvus, lbc []helmRelease
	err := fs.WalkDir(t.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (path.Ext(p) != ".yaml" && path.Ext(p) != ".yml") || p == manifest.EksctlFile {
			return nil
		}
		data, err := input.ReadFS(t.fsys, p, input.TreeFile)
		if err != nil {
			return err
		}
		if r, ok := t.readHubValues(p, data); ok {
			if r.chart == manifest.MilvusChart {
				milvus = append(milvus, r)
			} else {
				lbc = append(lbc, r)
			}
			return nil
		}
		docs, err := splitYAML(data)
		if err != nil {
			t.problem(Location{File: p}, "reading the YAML documents failed: %v", err)
		}
		for i, doc := range docs {
			var head struct{ APIVersion, Kind string }
			if yaml.Unmarshal(doc, &head) != nil {
				continue
			}
			var r helmRelease
			switch {
			case head.Kind == helmv2.HelmReleaseKind && strings.HasPrefix(head.APIVersion, helmv2.GroupVersion.Group+"/"):
				hr, values := &helmv2.HelmRelease{}, map[string]any{}
				if err := yaml.Unmarshal(doc, hr); err != nil {
					t.problem(Location{File: p, Object: fmt.Sprintf("document %d", i)}, "parsing the HelmRelease failed: %v", err)
					continue
				}
				r = fromHelmRelease(p, hr, values)
				if hr.Spec.Values != nil {
					if err := json.Unmarshal(hr.Spec.Values.Raw, &r.values); err != nil {
						t.problem(r.at("spec.values"), "parsing the values failed: %v", err)
						continue
					}
				}
			case isApplication(head.APIVersion, head.Kind):
				var ok bool
				if r, ok = t.readApplication(p, i, doc); !ok {
					continue
				}
			default:
				continue
			}
			switch r.chart {
			case manifest.MilvusChart:
				milvus = append(milvus, r)
			case manifest.LBControllerChart:
				lbc = append(lbc, r)
			}
		}
		return nil
	})
	if err != nil {
		t.problem(Location{File: "."}, "reading the tree failed: %v", err)
		return
	}
	if len(milvus) == 0 {
		t.problem(Location{File: "kubernetes"}, "no HelmRelease or Application of chart %q", manifest.MilvusChart)
	}
	for _, r := range milvus {
		if ns, loc := r.namespace(); r.nsField != "" {
			t.observe(milvusNamespace, loc, ns)
		}
		t.requireValue(r, milvusSA, "serviceAccount.name")
		t.requireValue(r, bucket, "externalS3.bucketName")
		t.requireValue(r, region, "externalS3.region")
		if host, ok := t.value(r, "S3 host", "externalS3.host"); ok {
			// s3.<region>.amazonaws.com[.cn]
			if rest, ok := strings.CutPrefix(host, "s3."); ok && strings.Count(rest, ".") >= 2 {
				reg, _, _ := strings.Cut(rest, ".")
				t.observe(region, r.at("spec.values.externalS3.host"), reg)
			}
		}
		rp, _ := t.value(r, rootPath, "externalS3.rootPath")
		t.observe(rootPath, r.at("spec.values.externalS3.rootPath"), strings.Trim(rp, "/"))
	}
	if len(lbc) == 0 {
		t.problem(Location{File: "kubernetes"}, "no HelmRelease or Application of chart %q", manifest.LBControllerChart)
	}
	for _, r := range lbc {
		if ns, loc := r.namespace(); r.nsField != "" {
			t.observe(lbcNamespace, loc, ns)
		}
		t.requireValue(r, clusterName, "clusterName")
		t.observeValue(r, region, "region")
		t.requireValue(r, lbcSA, "serviceAccount.name")
	}
}

// splitYAML splits a multi-document YAML file with the YAML reader the
// Kubernetes clients (and internal/diff) use, so that any separator form a
// hand-edited file may hold ("---" with trailing spaces or a comment, a
// leading "---", CRLF) counts.
func splitYAML(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, doc)
	}
}

// scriptNames are the script variables that hold a value Check compares.
var scriptNames = []struct{ variable, what string }{
	{"CLUSTER", clusterName},
	{"REGION", region},
	{"ACCOUNT_ID", accountID},
	{"BUCKET", bucket},
	{"MILVUS_NAMESPACE", milvusNamespace},
	{"POLICY_NAME", milvusPolicyName},
	{"LBC_NAMESPACE", lbcNamespace},
}

// readScripts reads the names the day-0 scripts assign. The scripts are
// optional: a tree may be checked without them.
func (t *tree) readScripts() {
	for _, f := range []string{bootstrapFile, convergeFile, teardownFile} {
		data, err := input.ReadFS(t.fsys, f, input.TreeFile)
		if err != nil {
			continue
		}
		vars, err := ScriptAssignments(bytes.NewReader(data), f)
		if err != nil {
			t.problem(Location{File: f}, "%v", err)
			continue
		}
		at := func(v string) Location { return Location{File: f, Field: v} }
		for _, n := range scriptNames {
			for _, val := range vars[n.variable] {
				t.observe(n.what, at(n.variable), val)
			}
		}
		for _, p := range vars["POLICY_ARN"] {
			if a, ok := parseARN(p); ok {
				t.observe(partition, at("POLICY_ARN"), a.partition)
				t.observe(accountID, at("POLICY_ARN"), a.account)
				t.observe(milvusPolicyName, at("POLICY_ARN"), a.policyName())
			} else {
				t.problem(at("POLICY_ARN"), "%q is not an ARN", p)
			}
		}
		// The document bootstrap.sh creates the policy from must be one
		// that grants on the bucket.
		for _, doc := range vars["POLICY_DOCUMENT"] {
			p := path.Join(path.Dir(f), doc)
			if !t.grantsOnBucket(p) {
				t.problem(at("POLICY_DOCUMENT"), "%q (%s) is not an IAM policy document in the tree that grants access to the bucket", doc, p)
			}
		}
	}
}

// grantsOnBucket reports whether file is a policy document observed to
// grant on an S3 bucket.
func (t *tree) grantsOnBucket(file string) bool {
	for _, o := range t.seen[bucket] {
		if o.at.File == file {
			return true
		}
	}
	return false
}

// checkBoundPolicy checks that the policy eksctl binds to the Milvus
// service account is one the IAM documents manage. Account and partition
// are compared with every other ARN already, so only the name is.
func (t *tree) checkBoundPolicy() {
	if len(t.policyARNs) == 0 {
		return
	}
	var names []string
	for _, p := range t.policyARNs {
		a, _ := parseARN(p.val)
		names = append(names, a.policyName())
	}
	for _, b := range t.boundPolicies {
		a, _ := parseARN(b.val)
		if !slices.Contains(names, a.policyName()) {
			t.problems = append(t.problems, Problem{
				What: milvusPolicyName, At: b.at, Got: a.policyName(),
				Other: t.policyARNs[0].at, Want: strings.Join(names, " or "),
			})
		}
	}
}

// arn is an Amazon Resource Name: arn:partition:service:region:account:resource.
type arn struct {
	partition, service, region, account, resource string
}

func parseARN(s string) (arn, bool) {
	p := strings.SplitN(s, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[1] == "" || p[2] == "" {
		return arn{}, false
	}
	return arn{p[1], p[2], p[3], p[4], p[5]}, true
}

// policyName is the name of an IAM policy ARN (policy/path/name → name).
func (a arn) policyName() string { return path.Base(a.resource) }

// partitionOf is the AWS partition of a region, as milvusgen derives it.
func partitionOf(region string) string {
	s := model.Spec{AWS: model.AWS{Region: region}}
	return s.Partition()
}
