package model

import "encoding/json"

// Spec is a validated milvusgen spec. JSON tags match the CUE field names.
type Spec struct {
	Name                   string                 `json:"name"`
	AWS                    AWS                    `json:"aws"`
	Cluster                Cluster                `json:"cluster"`
	Storage                Storage                `json:"storage"`
	Milvus                 Milvus                 `json:"milvus"`
	LoadBalancerController LoadBalancerController `json:"loadBalancerController"`
	GitOps                 GitOps                 `json:"gitops"`
	// Backup schedules milvus-backup, or is nil.
	Backup *Backup `json:"backup,omitempty"`
}

// AWS names the account and region everything is created in.
type AWS struct {
	Region    string `json:"region"`
	AccountID string `json:"accountID"`
	// Tags go on every AWS resource milvusgen creates.
	Tags map[string]string `json:"tags,omitempty"`
}

// Cluster is the EKS cluster.
type Cluster struct {
	Name              string      `json:"name"`
	Identity          string      `json:"identity"`
	KubernetesVersion string      `json:"kubernetesVersion"`
	VPCCIDR           string      `json:"vpcCIDR"`
	NodeGroups        []NodeGroup `json:"nodeGroups"`
	// AddonVersions pins EKS addon versions by addon name; an addon left
	// out takes AWS's default for KubernetesVersion.
	AddonVersions map[string]string `json:"addonVersions,omitempty"`
	// Zones are the availability zones the cluster spans (cluster.zones);
	// nil leaves the choice to eksctl, or to the existing VPC's subnets.
	Zones []string `json:"zones,omitempty"`
	// VPC is an existing VPC; nil means eksctl creates one.
	VPC *ExistingVPC `json:"vpc,omitempty"`
	// Existing: the cluster exists and eksctl did not create it.
	Existing bool `json:"existing,omitempty"`
}

// ExistingVPC is a VPC milvusgen does not create, and its subnets by zone.
type ExistingVPC struct {
	ID            string          `json:"id"`
	SecurityGroup string          `json:"securityGroup,omitempty"`
	Subnets       ExistingSubnets `json:"subnets"`
}

// ExistingSubnets maps each availability zone to one subnet ID.
type ExistingSubnets struct {
	Private map[string]string `json:"private,omitempty"`
	Public  map[string]string `json:"public,omitempty"`
}

// NodeGroup is an EKS managed node group.
type NodeGroup struct {
	Name              string            `json:"name"`
	InstanceType      string            `json:"instanceType"`
	DesiredCapacity   int               `json:"desiredCapacity"`
	MinSize           *int              `json:"minSize,omitempty"`
	MaxSize           *int              `json:"maxSize,omitempty"`
	VolumeSize        int               `json:"volumeSize"` // GiB
	PrivateNetworking bool              `json:"privateNetworking"`
	Labels            map[string]string `json:"labels,omitempty"`
}

// Storage is the S3 bucket and the EBS StorageClass.
type Storage struct {
	Bucket       string       `json:"bucket"`
	RootPath     string       `json:"rootPath,omitempty"`
	PolicyName   string       `json:"policyName"`
	StorageClass StorageClass `json:"storageClass"`
}

// StorageClass is the EBS CSI StorageClass for etcd and other volumes.
type StorageClass struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Default   bool   `json:"default"`
	Encrypted bool   `json:"encrypted"`
	KMSKeyID  string `json:"kmsKeyID,omitempty"`
	// ReclaimPolicy is what happens to a volume when its claim is
	// deleted: Retain (the schema's default) or Delete.
	ReclaimPolicy string `json:"reclaimPolicy,omitempty"`
}

// Message queues Milvus can use for its WAL.
const (
	Woodpecker = "woodpecker"
	Pulsar     = "pulsar"
	Kafka      = "kafka"
	// ExternalKafka is a Kafka cluster Milvus does not run (Amazon MSK or
	// your own), described by Milvus.ExternalKafka.
	ExternalKafka = "externalKafka"
)

// Milvus is the Milvus Helm release.
type Milvus struct {
	Namespace    string `json:"namespace"`
	ChartVersion string `json:"chartVersion"`
	// Version is the Milvus version the spec pins, or "" for the chart's
	// own (ImageVersion gives the one that runs).
	Version string `json:"version,omitempty"`
	// Coordinators is the coordinator layout: CoordinatorsMix or
	// CoordinatorsSeparate.
	Coordinators     string         `json:"coordinators,omitempty"`
	ServiceAccount   string         `json:"serviceAccount"`
	HighAvailability bool           `json:"highAvailability"`
	MessageQueue     string         `json:"messageQueue"`
	MixCoordinator   Component      `json:"mixCoordinator"`
	Proxy            Component      `json:"proxy"`
	QueryNode        Component      `json:"queryNode"`
	DataNode         Component      `json:"dataNode"`
	StreamingNode    Component      `json:"streamingNode"`
	IndexNode        Component      `json:"indexNode"`
	Spread           string         `json:"spread"`
	InMemoryReplicas int            `json:"inMemoryReplicas"`
	Dataset          *Dataset       `json:"dataset,omitempty"`
	Auth             Auth           `json:"auth"`
	TLS              TLS            `json:"tls"`
	Service          Service        `json:"service"`
	Config           map[string]any `json:"config,omitempty"`
	Values           map[string]any `json:"values,omitempty"`
	// ExternalKafka is the Kafka cluster of MessageQueue externalKafka.
	ExternalKafka *KafkaCluster `json:"externalKafka,omitempty"`
}

// Coordinator layouts.
const (
	CoordinatorsMix      = "mixCoordinator"
	CoordinatorsSeparate = "separate"
)

// Identity modes: how pods get AWS credentials.
const (
	IRSA        = "irsa"
	PodIdentity = "podIdentity"
)

// Dataset describes the data Milvus must hold, for sizing.
type Dataset struct {
	Vectors           int64 `json:"vectors"`
	Dimension         int   `json:"dimension"`
	Index             Index `json:"index"`
	ScalarBytesPerRow int   `json:"scalarBytesPerRow"`
	SegmentSizeMB     int   `json:"segmentSizeMB"`
	Replicas          int   `json:"replicas"`
}

// Index is the vector index and its build parameters.
type Index struct {
	Type      string `json:"type"`
	M         int    `json:"M,omitempty"`
	NList     int    `json:"nlist,omitempty"`
	MaxDegree int    `json:"maxDegree,omitempty"`
}

// Auth is Milvus authentication.
type Auth struct {
	Enabled            bool      `json:"enabled"`
	RootPasswordSecret SecretKey `json:"rootPasswordSecret"`
}

// SecretKey names one key of a Kubernetes Secret.
type SecretKey struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// TLS is the proxies' external TLS.
type TLS struct {
	Mode       int    `json:"mode"`
	SecretName string `json:"secretName,omitempty"`
}

// Component is one Milvus Deployment's replicas and resources.
type Component struct {
	Replicas  *int       `json:"replicas,omitempty"`
	Resources *Resources `json:"resources,omitempty"`
}

// Resources are Kubernetes container resources.
type Resources struct {
	Limits   *ResourceList `json:"limits,omitempty"`
	Requests *ResourceList `json:"requests,omitempty"`
}

// ResourceList is cpu and memory.
type ResourceList struct {
	CPU    Quantity `json:"cpu,omitempty"`
	Memory Quantity `json:"memory,omitempty"`
}

// Quantity is a Kubernetes quantity. Specs may write it as a number (cpu: 1)
// or a string ("2Gi"); it is always rendered as a string.
type Quantity string

// UnmarshalJSON accepts a JSON string or number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*q = Quantity(s)
		return nil
	}
	var f json.Number
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*q = Quantity(f.String())
	return nil
}

// Service is the Milvus proxy Service and its AWS network load balancer.
type Service struct {
	Scheme           string   `json:"scheme"`
	AllowPublic      bool     `json:"allowPublic"`
	LoadBalancerName string   `json:"loadBalancerName"`
	SourceRanges     []string `json:"sourceRanges"`
	Port             int      `json:"port"`
}

// LoadBalancerController is the AWS Load Balancer Controller release.
type LoadBalancerController struct {
	ChartVersion   string `json:"chartVersion"`
	ServiceAccount string `json:"serviceAccount"`
	Replicas       int    `json:"replicas"`
}

// GitOps engines.
const (
	EngineFlux   = "flux"
	EngineArgoCD = "argocd"
)

// GitOps says how the rendered tree reaches the cluster.
type GitOps struct {
	Engine   string `json:"engine"`
	Interval string `json:"interval"`
	// Install false: the engine is already installed; nil means true.
	Install    *bool      `json:"install,omitempty"`
	Repository Repository `json:"repository"`
	ArgoCD     ArgoCD     `json:"argocd"`
}

// ArgoCD tunes the Argo CD objects of engine "argocd".
type ArgoCD struct {
	Namespace string `json:"namespace"`
	Automated bool   `json:"automated"`
	Prune     bool   `json:"prune"`
	SelfHeal  bool   `json:"selfHeal"`
	// Mode is ArgoCDModeCluster or ArgoCDModeHub.
	Mode string     `json:"mode"`
	Hub  *ArgoCDHub `json:"hub,omitempty"`
}

// Argo CD modes: each cluster its own Argo CD, or one hub for a fleet.
const (
	ArgoCDModeCluster = "cluster"
	ArgoCDModeHub     = "hub"
)

// ArgoCDHub is the hub Argo CD a cluster of mode "hub" registers with.
type ArgoCDHub struct {
	// Name is the fleet's name on the hub.
	Name string `json:"name"`
	// Context is the hub's kubeconfig context.
	Context string `json:"context"`
	// RoleARN is the IAM role the hub assumes for this cluster.
	RoleARN string `json:"roleARN"`
}

// Repository is the Git repository Flux or Argo CD syncs from.
type Repository struct {
	URL        string `json:"url,omitempty"`
	Branch     string `json:"branch"`
	Path       string `json:"path"`
	SecretName string `json:"secretName,omitempty"`
}

// Backup is the milvus-backup CronJob and its location.
type Backup struct {
	Schedule       string `json:"schedule"`
	Bucket         string `json:"bucket,omitempty"`
	RootPath       string `json:"rootPath"`
	Region         string `json:"region,omitempty"`
	CrossRegion    bool   `json:"crossRegion"`
	Keep           int    `json:"keep"`
	ServiceAccount string `json:"serviceAccount"`
	PolicyName     string `json:"policyName,omitempty"`
}
