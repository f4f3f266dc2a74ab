package verify

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/milvusgen/milvusgen/internal/agreement"
)

// AWSConfig loads the AWS configuration the pod identity check uses, and
// reports whether credentials are available. The default, DefaultAWSConfig,
// follows the SDK's chain (environment, shared files, SSO, instance role).
type AWSConfig func(ctx context.Context, region string) (aws.Config, error)

// DefaultAWSConfig loads the SDK's default configuration and retrieves
// credentials once, so that their absence is known before any EKS call.
func DefaultAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return aws.Config{}, err
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, err
	}
	return cfg, nil
}

// checkPodIdentity finds the EKS pod identity association of the Milvus
// service account and compares its role with the rendered one.
func checkPodIdentity(ctx context.Context, cfg aws.Config, t *Target) (string, []agreement.Problem, error) {
	c := eks.NewFromConfig(cfg)
	out, err := c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String(t.ClusterName), Namespace: aws.String(t.Namespace), ServiceAccount: aws.String(t.ServiceAccount),
	})
	if err != nil {
		return "", nil, fmt.Errorf("listing the pod identity associations of cluster %s: %w", t.ClusterName, err)
	}
	at := agreement.Location{File: "EKS", Object: "cluster/" + t.ClusterName, Field: "podIdentityAssociations[" + t.Namespace + "/" + t.ServiceAccount + "]"}
	if len(out.Associations) == 0 {
		return "", []agreement.Problem{{At: at, Msg: fmt.Sprintf("no pod identity association, but %s binds one", t.IdentityAt)}}, nil
	}
	d, err := c.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{
		ClusterName: aws.String(t.ClusterName), AssociationId: out.Associations[0].AssociationId,
	})
	if err != nil {
		return "", nil, fmt.Errorf("describing pod identity association %s: %w", aws.ToString(out.Associations[0].AssociationId), err)
	}
	role := aws.ToString(d.Association.RoleArn)
	return role, roleProblems(role, at, t), nil
}
