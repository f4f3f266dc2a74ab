package agreement

import (
	"cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render"
)

const repo = "../.."

// TestCheckExamples: every committed example tree is consistent.
func TestCheckExamples(t *testing.T) {
	exs, err := modeltest.Examples(filepath.Join(repo, "examples", "render.list"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		t.Run(ex.Name, func(t *testing.T) {
			for _, p := range Check(os.DirFS(filepath.Join(repo, ex.Out))) {
				t.Errorf("%s: %s", ex.Out, p)
			}
		})
	}
}

// TestCheckRenderedVariants: what render.Render produces is consistent for
// the spec shapes that change names: a rootPath, another partition, Pod
// Identity instead of IRSA, no Git, a customer KMS key.
func TestCheckRenderedVariants(t *testing.T) {
	for name, s := range map[string]*model.Spec{
		"runbook":  modeltest.Runbook(),
		"rootPath": modeltest.Variant(func(s *model.Spec) { s.Storage.RootPath = "tenants/acme" }),
		"cn-north-1": modeltest.Variant(func(s *model.Spec) {
			s.AWS.Region = "cn-north-1"
			s.Storage.PolicyName = "milvus-prod-s3"
		}),
		"podIdentity":   modeltest.Variant(func(s *model.Spec) { s.Cluster.Identity = model.PodIdentity }),
		"no-git":        modeltest.TreeVariants()["no-git"],
		"kms":           modeltest.TreeVariants()["storageclass"],
		"argocd":        modeltest.ArgoCDVariants()["argocd"],
		"argocd-no-git": modeltest.ArgoCDVariants()["argocd-no-git"],
		"hub-dev":       modeltest.HubVariants()["dev"],
		"hub-prod":      modeltest.HubVariants()["prod"],
	} {
		t.Run(name, func(t *testing.T) {
			files, err := render.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			for _, f := range files {
				fsys[f.Path] = &fstest.MapFile{Data: f.Data, Mode: f.Mode}
			}
			for _, p := range Check(fsys) {
				t.Error(p)
			}
		})
	}
}

// found is the part of a Problem the tests compare.
type found struct {
	What, At, Got, Other, Want string
}

func summarize(ps []Problem) []found {
	var out []found
	for _, p := range ps {
		if p.Other.File == "" {
			out = append(out, found{At: p.At.File + " " + p.At.Field, Got: p.Msg})
			continue
		}
		out = append(out, found{p.What, p.At.File + " " + p.At.Field, p.Got, p.Other.File + " " + p.Other.Field, p.Want})
	}
	return out
}

// Files of the runbook example.
const (
	eksctlYAML = "aws/eksctl-cluster.yaml"
	readWrite  = "aws/iam/milvus-s3-readwrite.json"
	policyMgmt = "aws/iam/iam-policy-management.json"
	bucketMgmt = "aws/iam/s3-bucket-management.json"
	milvusYAML = "kubernetes/apps/milvus/milvus.yaml"
	lbcYAML    = "kubernetes/infrastructure/aws-load-balancer-controller.yaml"
	bootstrap  = "aws/bootstrap.sh"
	converge   = "aws/converge.sh"
)

// TestCheckCatches copies out/runbook, breaks one value by hand in one
// artifact, and expects exactly the problems that name that file and the
// one it disagrees with.
func TestCheckCatches(t *testing.T) {
	const bucketName = "milvus-bucket-039dd013c0712f085d60e21f"
	tests := map[string]struct {
		tree     string // under out/; default runbook
		file     string
		old, new string // replaced everywhere in file; new "" with old "" deletes file
		want     []found
	}{
		"bucket in the Milvus HelmRelease": {
			file: milvusYAML, old: "bucketName: " + bucketName, new: "bucketName: another-bucket",
			want: []found{{bucket, milvusYAML + " spec.values.externalS3.bucketName", "another-bucket",
				readWrite + " Statement[0].Resource[0]", bucketName}},
		},
		"bucket in the Milvus policy": {
			file: readWrite, old: ":::" + bucketName, new: ":::another-bucket",
			want: []found{
				{bucket, readWrite + " Statement[0].Resource[0]", "another-bucket", bucketMgmt + " Statement[0].Resource[0]", bucketName},
				{bucket, readWrite + " Statement[1].Resource[0]", "another-bucket", bucketMgmt + " Statement[0].Resource[0]", bucketName},
			},
		},
		"rootPath in the Milvus policy": {
			file: readWrite, old: bucketName + "/*", new: bucketName + "/tenant/*",
			// One place each: the first seen (the policy) is the reference.
			want: []found{{rootPath, milvusYAML + " spec.values.externalS3.rootPath", "",
				readWrite + " Statement[1].Resource[0]", "tenant"}},
		},
		"Milvus service account in eksctl": {
			file: eksctlYAML, old: "name: milvus-s3-access-sa", new: "name: milvus-sa",
			want: []found{{milvusSA, milvusYAML + " spec.values.serviceAccount.name", "milvus-s3-access-sa",
				eksctlYAML + " iam.serviceAccounts[1].metadata.name", "milvus-sa"}},
		},
		"Milvus namespace in the HelmRelease": {
			file: milvusYAML, old: "  name: milvus-demo\n  namespace: milvus\n", new: "  name: milvus-demo\n  namespace: vectors\n",
			want: []found{{milvusNamespace, milvusYAML + " metadata.namespace", "vectors",
				eksctlYAML + " iam.serviceAccounts[1].metadata.namespace", "milvus"}},
		},
		"bucket in the Argo CD Milvus Application": {
			tree: "argocd", file: milvusYAML, old: "bucketName: milvus-argocd-039dd013c0712f085d60e21f", new: "bucketName: another-bucket",
			want: []found{{bucket, milvusYAML + " spec.source.helm.valuesObject.externalS3.bucketName", "another-bucket",
				readWrite + " Statement[0].Resource[0]", "milvus-argocd-039dd013c0712f085d60e21f"}},
		},
		"Milvus namespace in the Argo CD Application": {
			tree: "argocd", file: milvusYAML, old: "    namespace: milvus\n", new: "    namespace: vectors\n",
			want: []found{{milvusNamespace, milvusYAML + " spec.destination.namespace", "vectors",
				eksctlYAML + " iam.serviceAccounts[1].metadata.namespace", "milvus"}},
		},
		"region in the LB controller values": {
			file: lbcYAML, old: "region: us-east-2", new: "region: us-west-2",
			want: []found{{region, lbcYAML + " spec.values.region", "us-west-2", eksctlYAML + " metadata.region", "us-east-2"}},
		},
		"region in eksctl": {
			file: eksctlYAML, old: "region: us-east-2", new: "region: eu-west-1",
			want: []found{{region, eksctlYAML + " metadata.region", "eu-west-1", milvusYAML + " spec.values.externalS3.region", "us-east-2"}},
		},
		"region in the S3 host": {
			file: milvusYAML, old: "host: s3.us-east-2.", new: "host: s3.eu-west-1.",
			want: []found{{region, milvusYAML + " spec.values.externalS3.host", "eu-west-1", eksctlYAML + " metadata.region", "us-east-2"}},
		},
		"partition of the Milvus policy ARN": {
			file: eksctlYAML, old: "arn:aws:iam::123456789012", new: "arn:aws-cn:iam::123456789012",
			want: []found{{partition, eksctlYAML + " iam.serviceAccounts[1].attachPolicyARNs[0]", "aws-cn", eksctlYAML + " metadata.region", "aws"}},
		},
		"cluster name in the LB controller values": {
			file: lbcYAML, old: "clusterName: milvus-eks-cluster", new: "clusterName: milvus-eks",
			want: []found{{clusterName, lbcYAML + " spec.values.clusterName", "milvus-eks", eksctlYAML + " metadata.name", "milvus-eks-cluster"}},
		},
		"cluster name in eksctl": {
			file: eksctlYAML, old: "  name: milvus-eks-cluster\n", new: "  name: milvus-eks\n",
			want: []found{{clusterName, eksctlYAML + " metadata.name", "milvus-eks", lbcYAML + " spec.values.clusterName", "milvus-eks-cluster"}},
		},
		"LB controller service account in its values": {
			file: lbcYAML, old: "    name: aws-load-balancer-controller\n", new: "    name: lbc\n",
			want: []found{{lbcSA, lbcYAML + " spec.values.serviceAccount.name", "lbc",
				eksctlYAML + " iam.serviceAccounts[0].metadata.name", "aws-load-balancer-controller"}},
		},
		"account ID in the eksctl policy ARN": {
			file: eksctlYAML, old: "arn:aws:iam::123456789012:", new: "arn:aws:iam::210987654321:",
			want: []found{{accountID, eksctlYAML + " iam.serviceAccounts[1].attachPolicyARNs[0]", "210987654321",
				policyMgmt + " Statement[0].Resource[0]", "123456789012"}},
		},
		"policy name bound in eksctl": {
			file: eksctlYAML, old: ":policy/MilvusS3ReadWrite", new: ":policy/MilvusS3",
			want: []found{
				{milvusPolicyName, eksctlYAML + " iam.serviceAccounts[1].attachPolicyARNs[0]", "MilvusS3",
					policyMgmt + " Statement[0].Resource[0]", "MilvusS3ReadWrite"},
				{milvusPolicyName, eksctlYAML + " iam.serviceAccounts[1].attachPolicyARNs[0]", "MilvusS3",
					converge + " POLICY_NAME", "MilvusS3ReadWrite"},
			},
		},
		"KMS key in another region": {
			file: "aws/iam/ebs-kms.json", old: "arn:aws:kms:us-west-2:", new: "arn:aws:kms:eu-west-1:", tree: "prod",
			// The key is the resource of both statements (grants, and the
			// data key calls).
			want: []found{
				{region, "aws/iam/ebs-kms.json Statement[0].Resource[0]", "eu-west-1", eksctlYAML + " metadata.region", "us-west-2"},
				{region, "aws/iam/ebs-kms.json Statement[1].Resource[0]", "eu-west-1", eksctlYAML + " metadata.region", "us-west-2"},
			},
		},
		"account of the EBS KMS policy in an addon's pod identity": {
			file: eksctlYAML, old: "arn:aws:iam::123456789012:policy/milvusgen-milvus-prod-ebs-kms", new: "arn:aws:iam::999999999999:policy/milvusgen-milvus-prod-ebs-kms", tree: "prod",
			want: []found{{accountID, eksctlYAML + " addons[4].podIdentityAssociations[0].permissionPolicyARNs[1]", "999999999999",
				eksctlYAML + " iam.podIdentityAssociations[1].permissionPolicyARNs[0]", "123456789012"}},
		},
		"Milvus service account in an eksctl pod identity association": {
			file: eksctlYAML, old: "serviceAccountName: milvus-s3-access-sa", new: "serviceAccountName: milvus", tree: "prod",
			want: []found{{milvusSA, milvusYAML + " spec.values.serviceAccount.name", "milvus-s3-access-sa",
				eksctlYAML + " iam.podIdentityAssociations[1].serviceAccountName", "milvus"}},
		},
		"bucket in converge.sh": {
			file: converge, old: "BUCKET='" + bucketName + "'", new: "BUCKET='another-bucket'",
			want: []found{{bucket, converge + " BUCKET", "another-bucket", readWrite + " Statement[0].Resource[0]", bucketName}},
		},
		// The scripts are read by a shell parser, not a pattern: an unquoted
		// value, or a second assignment further down, is a value too.
		"unquoted bucket in converge.sh": {
			file: converge, old: "BUCKET='" + bucketName + "'", new: "BUCKET=another-bucket",
			want: []found{{bucket, converge + " BUCKET", "another-bucket", readWrite + " Statement[0].Resource[0]", bucketName}},
		},
		"bucket reassigned in bootstrap.sh": {
			file: bootstrap, old: "\nneed aws", new: "\nBUCKET=\"another-bucket\"\nneed aws",
			want: []found{{bucket, bootstrap + " BUCKET", "another-bucket", readWrite + " Statement[0].Resource[0]", bucketName}},
		},
		"bucket from a command in teardown.sh": {
			file: "aws/teardown.sh", old: "#!/usr/bin/env bash\n", new: "#!/usr/bin/env bash\nBUCKET=\"$(cat bucket.txt)\"\n",
			want: []found{{At: "aws/teardown.sh ", Got: "aws/teardown.sh:2:1: BUCKET is assigned a value known only when the script runs"}},
		},
		"bootstrap.sh that is not shell": {
			file: bootstrap, old: "#!/usr/bin/env bash\n", new: "#!/usr/bin/env bash\nif then (\n",
			want: []found{{At: bootstrap + " ", Got: "aws/bootstrap.sh:2:1: `if` must be followed by a statement list"}},
		},
		"policy document in converge.sh": {
			file: converge, old: "POLICY_DOCUMENT='iam/milvus-s3-readwrite.json'", new: "POLICY_DOCUMENT='iam/iam-policy-management.json'",
			want: []found{{At: converge + " POLICY_DOCUMENT",
				Got: `"iam/iam-policy-management.json" (aws/iam/iam-policy-management.json) is not an IAM policy document in the tree that grants access to the bucket`}},
		},
		"service account not set in the Milvus values": {
			file: milvusYAML, old: "    serviceAccount:\n      create: false\n      name: milvus-s3-access-sa\n", new: "",
			want: []found{{At: milvusYAML + " spec.values.serviceAccount.name", Got: "Milvus service account is not set"}},
		},
		"eksctl ClusterConfig missing": {
			file: eksctlYAML,
			want: []found{{At: eksctlYAML + " ", Got: "the eksctl ClusterConfig is missing"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := cmp.Or(tc.tree, "runbook")
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(repo, "out", src))); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, filepath.FromSlash(tc.file))
			if tc.old == "" {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			} else {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(data), tc.old) {
					t.Fatalf("%s has no %q", tc.file, tc.old)
				}
				if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(data), tc.old, tc.new)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := Check(os.DirFS(dir))
			if d := gocmp.Diff(tc.want, summarize(got)); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
			for _, p := range got {
				if p.Other.File != "" && (p.At.File == p.Other.File && p.At.File != tc.file) {
					t.Errorf("%s: names one file only", p)
				}
				if testing.Verbose() {
					t.Log(p)
				}
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{{
		p: Problem{What: "bucket",
			At:  Location{File: milvusYAML, Object: "HelmRelease/milvus/milvus-demo", Field: "spec.values.externalS3.bucketName"},
			Got: "b2", Other: Location{File: readWrite, Field: "Statement[0].Resource[0]"}, Want: "b1"},
		want: `kubernetes/apps/milvus/milvus.yaml HelmRelease/milvus/milvus-demo spec.values.externalS3.bucketName: bucket is "b2", but aws/iam/milvus-s3-readwrite.json Statement[0].Resource[0] has "b1"`,
	}, {
		p:    Problem{At: Location{File: eksctlYAML}, Msg: "cannot read the eksctl ClusterConfig"},
		want: "aws/eksctl-cluster.yaml: cannot read the eksctl ClusterConfig",
	}} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() =\n%s\nwant\n%s", got, tc.want)
		}
	}
}

func TestDisagreements(t *testing.T) {
	at := func(f string) Location { return Location{File: f} }
	for _, tc := range []struct {
		name string
		obs  []observation
		want []string // At files of the problems
	}{
		{"one place", []observation{{at("a"), "x"}}, nil},
		{"all agree", []observation{{at("a"), "x"}, {at("b"), "x"}}, nil},
		{"tie: the first wins", []observation{{at("a"), "x"}, {at("b"), "y"}}, []string{"b"}},
		{"majority wins", []observation{{at("a"), "y"}, {at("b"), "x"}, {at("c"), "x"}}, []string{"a"}},
		{"sorted by file", []observation{{at("m"), "x"}, {at("z"), "y"}, {at("b"), "y"}, {at("c"), "x"}, {at("d"), "x"}}, []string{"b", "z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range disagreements("v", tc.obs) {
				got = append(got, p.At.File)
			}
			if d := gocmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
