package manifest

// Paths and chart names that readers of a rendered tree (agreement, verify,
// hydrate, apply, diff, chart) share with the renderers that write them. They
// live here, below both, so a reader never imports a renderer for a name.
const (
	// EksctlFile is the output path of the ClusterConfig, relative to the
	// output root. bootstrap.sh and teardown.sh pass it to eksctl.
	EksctlFile = "aws/eksctl-cluster.yaml"

	// LBControllerChart is the AWS Load Balancer Controller's chart in
	// eks-charts.
	LBControllerChart = "aws-load-balancer-controller"
	// MilvusChart is the Milvus chart.
	MilvusChart = "milvus"
)

// S3EstimateAnnotation is set on the Milvus release object (HelmRelease or
// Application) when the spec gives a dataset: the bytes Milvus keeps in S3
// for it. It is the one priced quantity a tree cannot otherwise show, so
// the cost estimate (internal/cost) reads it to price both sides of a diff.
const S3EstimateAnnotation = "milvusgen.io/s3-estimate-bytes"

// ExistingClusterAnnotation marks the ClusterConfig of a cluster that
// exists and that eksctl did not create (cluster.existing): the cluster is
// the platform's, and a pull request's diff must not plan changes to it.
// eksctl ignores metadata.annotations.
const ExistingClusterAnnotation = "milvusgen.io/existing-cluster"
