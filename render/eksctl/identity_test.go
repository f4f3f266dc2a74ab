package eksctl

import (
	"testing"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

const testKey = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// identityCases cover the IAM variants: IRSA or Pod Identity, each with
// and without a customer KMS key for the EBS CSI driver.
func identityCases() map[string]*model.Spec {
	out := map[string]*model.Spec{}
	for _, id := range []string{model.IRSA, model.PodIdentity} {
		for _, kms := range []bool{false, true} {
			s := modeltest.Runbook()
			s.Cluster.Identity = id
			name := id
			if kms {
				s.Storage.StorageClass.KMSKeyID = testKey
				name += "-kms"
			}
			out[name] = s
		}
	}
	return out
}

// TestIdentityVariants: every variant passes eksctl's own decode, defaults
// and validation, and binds the right policies to the right accounts.
func TestIdentityVariants(t *testing.T) {
	for name, s := range identityCases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, "testdata/identity/"+name+".yaml", files[0].Data)
			cfg, err := consumer.Eksctl(files[0].Data)
			if err != nil {
				t.Fatalf("eksctl rejects the %s ClusterConfig: %v", name, err)
			}
			addons := map[string]*api.Addon{}
			for _, a := range cfg.Addons {
				addons[a.Name] = a
			}
			ebs := addons[api.AWSEBSCSIDriverAddon]
			if s.Cluster.Identity == model.PodIdentity {
				if api.IsEnabled(cfg.IAM.WithOIDC) || len(cfg.IAM.ServiceAccounts) > 0 {
					t.Error("Pod Identity still renders IRSA (withOIDC or serviceAccounts)")
				}
				if addons[api.PodIdentityAgentAddon] == nil {
					t.Error("Pod Identity without the eks-pod-identity-agent addon")
				}
				pias := map[string]api.PodIdentityAssociation{}
				for _, p := range cfg.IAM.PodIdentityAssociations {
					pias[p.Namespace+"/"+p.ServiceAccountName] = p
				}
				m := pias[s.Milvus.Namespace+"/"+s.Milvus.ServiceAccount]
				if len(m.PermissionPolicyARNs) != 1 || m.PermissionPolicyARNs[0] != s.PolicyARN() || !m.CreateServiceAccount {
					t.Errorf("Milvus association = %+v, want %s and a created account", m, s.PolicyARN())
				}
				if l := pias[model.LBControllerNamespace+"/"+s.LoadBalancerController.ServiceAccount]; !l.WellKnownPolicies.AWSLoadBalancerController {
					t.Errorf("LB controller association = %+v", l)
				}
			} else if !api.IsEnabled(cfg.IAM.WithOIDC) || len(cfg.IAM.PodIdentityAssociations) > 0 {
				t.Error("IRSA without withOIDC, or with pod identity associations")
			}
			if s.UsesKMSKey() {
				var arns []string
				if s.Cluster.Identity == model.PodIdentity {
					arns = (*ebs.PodIdentityAssociations)[0].PermissionPolicyARNs
				} else {
					arns = ebs.AttachPolicyARNs
				}
				if len(arns) != 2 || arns[1] != s.KMSPolicyARN() {
					t.Errorf("EBS CSI policies = %v, want the managed policy and %s", arns, s.KMSPolicyARN())
				}
			}
		})
	}
}
