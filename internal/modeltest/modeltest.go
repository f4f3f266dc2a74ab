package modeltest

import "github.com/milvusgen/milvusgen/internal/model"

// Runbook is the deployment of the "Deploy a Milvus cluster on EKS" runbook
// with every schema default filled in, as spec.Load would return it.
func Runbook() *model.Spec {
	return &model.Spec{
		Name: "milvus-demo",
		AWS:  model.AWS{Region: "us-east-2", AccountID: "123456789012"},
		Cluster: model.Cluster{
			Name:              "milvus-eks-cluster",
			Identity:          model.IRSA,
			KubernetesVersion: "1.35",
			VPCCIDR:           "192.168.0.0/16",
			NodeGroups: []model.NodeGroup{{
				Name:              "milvus-node-group",
				InstanceType:      "m6i.4xlarge",
				DesiredCapacity:   3,
				VolumeSize:        80,
				PrivateNetworking: true,
				Labels:            map[string]string{"role": "milvus"},
			}},
		},
		Storage: model.Storage{
			Bucket:     "milvus-bucket-039dd013c0712f085d60e21f",
			PolicyName: "MilvusS3ReadWrite",
			StorageClass: model.StorageClass{
				Name: "ebs-gp3-sc", Type: "gp3", Default: true, Encrypted: true, ReclaimPolicy: "Retain",
			},
		},
		Milvus: model.Milvus{
			Namespace:        "milvus",
			ChartVersion:     "5.0.19",
			Coordinators:     "mixCoordinator",
			ServiceAccount:   "milvus-s3-access-sa",
			HighAvailability: true,
			MessageQueue:     model.Woodpecker,
			Spread:           model.SpreadRequired,
			InMemoryReplicas: 2,
			MixCoordinator:   model.Component{Replicas: ptr(2)},
			Proxy: model.Component{Replicas: ptr(2), Resources: &model.Resources{
				Limits: &model.ResourceList{CPU: "1", Memory: "2Gi"},
			}},
			Auth: model.Auth{Enabled: true, RootPasswordSecret: model.SecretKey{Name: "milvus-root", Key: "password"}},
			Service: model.Service{
				Scheme:           "internal",
				LoadBalancerName: "milvus-service",
				SourceRanges:     []string{"10.0.0.0/8"},
				Port:             19530,
			},
		},
		LoadBalancerController: model.LoadBalancerController{
			ChartVersion: "3.5.0", ServiceAccount: "aws-load-balancer-controller", Replicas: 2,
		},
		GitOps: model.GitOps{
			Engine:   "flux",
			Interval: "10m",
			Repository: model.Repository{
				URL:    "ssh://git@github.com/acme/fleet.git",
				Branch: "main",
				Path:   "clusters/milvus-eks-cluster",
			},
			ArgoCD: model.ArgoCD{Namespace: "argocd", Automated: true, Prune: true, SelfHeal: true, Mode: model.ArgoCDModeCluster},
		},
	}
}

func ptr[T any](v T) *T { return &v }
