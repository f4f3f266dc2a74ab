package runbook

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

func existingCluster(identity string) *model.Spec {
	return modeltest.Variant(func(s *model.Spec) {
		s.Cluster.Existing = true
		s.Cluster.Identity = identity
		s.Cluster.VPCCIDR = "10.20.0.0/16"
		s.Cluster.VPC = &model.ExistingVPC{
			ID: "vpc-0a1b2c3d4e5f60718", SecurityGroup: "sg-0123456789abcdef0",
			Subnets: model.ExistingSubnets{Private: map[string]string{
				"us-east-2a": "subnet-0aaaaaaaaaaaaaaa1", "us-east-2b": "subnet-0bbbbbbbbbbbbbbb2",
			}},
		}
	})
}

// TestBootstrapExistingCluster runs bootstrap.sh and teardown.sh against
// the stateful stubs for a cluster the platform made: bootstrap adds the
// node groups, addons and IAM to it and never creates a cluster (it stops
// when the cluster is missing); teardown removes what bootstrap added and
// never deletes the cluster.
func TestBootstrapExistingCluster(t *testing.T) {
	for _, identity := range []string{model.IRSA, model.PodIdentity} {
		t.Run(identity, func(t *testing.T) {
			s := existingCluster(identity)
			h := newStubbed(t, s)
			calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
			if code == 0 || !strings.Contains(stderr, "cluster.existing says it exists") {
				t.Fatalf("missing cluster: exit %d, stderr:\n%s", code, stderr)
			}
			none(t, calls, "eksctl create", "flux install")

			// The platform's cluster: no node groups, addons or identities
			// of milvusgen's yet.
			h.setState("cluster", `{"version":"`+s.Cluster.KubernetesVersion+`"}`)
			calls, stderr, code = h.run(BootstrapFile, []string{keyEnv})
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			// converge.sh's order: the OIDC provider before the addons, the
			// node groups after them, the identities last.
			want := []string{"aws s3api head-bucket", "aws iam get-policy"}
			if identity == model.IRSA {
				want = append(want, "eksctl utils associate-iam-oidc-provider")
			}
			want = append(want, "eksctl create addon -f eksctl-cluster.yaml", "eksctl create nodegroup -f eksctl-cluster.yaml")
			if identity == model.IRSA {
				want = append(want, "eksctl create iamserviceaccount -f eksctl-cluster.yaml --approve")
			} else {
				want = append(want, "eksctl create podidentityassociation --cluster")
			}
			inOrder(t, calls, want...)
			none(t, calls, "eksctl create cluster")

			calls, stderr, code = h.run(TeardownFile, nil, "--yes")
			if code != 0 {
				t.Fatalf("teardown exit %d:\n%s", code, stderr)
			}
			del := "eksctl delete iamserviceaccount -f eksctl-cluster.yaml --approve --wait"
			if identity == model.PodIdentity {
				del = "eksctl delete podidentityassociation -f eksctl-cluster.yaml"
			}
			inOrder(t, calls, "eksctl delete nodegroup -f eksctl-cluster.yaml --approve --wait", del)
			none(t, calls, "eksctl delete cluster", "delete addon")
		})
	}
}

// TestConvergeExistingControlPlane: on the platform's cluster a Kubernetes
// bump never upgrades the control plane; converge.sh stops, naming both
// ways out, and changes nothing. Once the platform has upgraded it, the
// node groups follow.
func TestConvergeExistingControlPlane(t *testing.T) {
	s := existingCluster(model.IRSA)
	s.Cluster.KubernetesVersion = "1.35"
	h := newStubbed(t, s)
	h.setState("cluster", `{"version":"1.34"}`)
	calls, stderr, code := h.run(ConvergeFile, nil, "--yes")
	if code == 0 || !strings.Contains(stderr, "the control plane is the platform's") || !strings.Contains(stderr, "set cluster.kubernetesVersion to 1.34") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "eksctl upgrade cluster", "eksctl upgrade nodegroup", "eksctl create nodegroup")
	if !strings.Contains(h.readState(t, "cluster"), `"version":"1.34"`) && !strings.Contains(h.readState(t, "cluster"), `"version": "1.34"`) {
		t.Errorf("the cluster changed:\n%s", h.readState(t, "cluster"))
	}

	h.setState("cluster", `{"version":"1.35"}`)
	if _, stderr, code := h.run(ConvergeFile, nil, "--yes"); code != 0 {
		t.Fatalf("after the platform's upgrade: exit %d:\n%s", code, stderr)
	}
}
