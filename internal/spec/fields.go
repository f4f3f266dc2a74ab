package spec

import (
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Field rules run on the values the user wrote. Each says what is allowed,
// so the message alone is enough to fix the spec.
var (
	reDNSLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	reDNSSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
	reRegion       = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
	reAccount      = regexp.MustCompile(`^[0-9]{12}$`)
	reClusterName  = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	reK8sVersion   = regexp.MustCompile(`^1\.[0-9]+$`)
	reInstanceType = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[0-9]*[a-z][a-z0-9]*$`)
	reLBName       = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
	rePolicyName   = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)
	reDuration     = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`)
	reKMSKey       = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):key/[A-Za-z0-9-]+$`)
	reBucketChars  = regexp.MustCompile(`^[a-z0-9.-]+$`)
	reGitPath      = regexp.MustCompile(`^[A-Za-z0-9._/-]*$`)
	reZone         = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$`)
)

type stringRule func(s string) string // returns "" when valid, else the message

var stringRules = map[string]stringRule{
	"name": func(s string) string {
		if len(s) > 53 || !reDNSLabel.MatchString(s) {
			return fmt.Sprintf("must be a Helm release name: at most 53 lowercase letters, digits or '-', starting and ending with a letter or digit; got %q", s)
		}
		return ""
	},
	"aws.region": func(s string) string {
		if !reRegion.MatchString(s) {
			return fmt.Sprintf("must be an AWS region code such as \"us-east-2\"; got %q", s)
		}
		return ""
	},
	"aws.accountID": func(s string) string {
		if !reAccount.MatchString(s) {
			return fmt.Sprintf("must be the 12-digit AWS account ID, as a string; got %q", s)
		}
		return ""
	},
	"cluster.name": func(s string) string {
		if len(s) > 100 || !reClusterName.MatchString(s) {
			return fmt.Sprintf("EKS cluster name must start with a letter and hold at most 100 letters, digits or '-'; got %q", s)
		}
		return ""
	},
	"cluster.kubernetesVersion": func(s string) string {
		if !reK8sVersion.MatchString(s) {
			return fmt.Sprintf("must be a Kubernetes minor version such as \"1.34\"; got %q", s)
		}
		return ""
	},
	"cluster.vpcCIDR": func(s string) string {
		ip, n, err := net.ParseCIDR(s)
		if err != nil || ip.To4() == nil {
			return fmt.Sprintf("must be an IPv4 CIDR such as \"192.168.0.0/16\"; got %q", s)
		}
		if ones, _ := n.Mask.Size(); ones < 16 || ones > 28 {
			return fmt.Sprintf("a VPC CIDR must have a prefix between /16 and /28; got %q", s)
		}
		return ""
	},
	"storage.bucket":   bucketRule,
	"storage.rootPath": rootPathRule,
	"storage.policyName": func(s string) string {
		if len(s) > 128 || !rePolicyName.MatchString(s) {
			return fmt.Sprintf("IAM policy name must be 1-128 letters, digits or +=,.@_-; got %q", s)
		}
		return ""
	},
	"storage.storageClass.name": dnsSubdomain,
	"storage.storageClass.type": oneOf("gp3", "gp2", "io1", "io2", "sc1", "st1"),
	"storage.storageClass.kmsKeyID": func(s string) string {
		if !reKMSKey.MatchString(s) {
			return fmt.Sprintf("must be a KMS key ARN (not an alias: IAM scopes the driver's grant to the key) such as \"arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"; got %q", s)
		}
		return ""
	},
	"milvus.namespace":      dnsLabel,
	"milvus.serviceAccount": dnsSubdomain,
	"milvus.messageQueue":   oneOf("woodpecker", "pulsar", "kafka", "externalKafka"),
	"milvus.chartVersion": func(s string) string {
		return knownMilvusChart(s)
	},
	"milvus.service.scheme": oneOf("internal", "internet-facing"),
	"milvus.service.loadBalancerName": func(s string) string {
		switch {
		case len(s) > 32 || !reLBName.MatchString(s):
			return fmt.Sprintf("load balancer name must be 1-32 letters, digits or '-', not starting or ending with '-'; got %q", s)
		case strings.HasPrefix(strings.ToLower(s), "internal-"):
			return fmt.Sprintf("load balancer name must not start with \"internal-\" (AWS reserves it); got %q", s)
		}
		return ""
	},
	"loadBalancerController.chartVersion": func(s string) string {
		return knownVersion("AWS Load Balancer Controller chart", s, compat().LBControllerCharts)
	},
	"loadBalancerController.serviceAccount": dnsSubdomain,
	"gitops.engine":                         oneOf("flux", "argocd"),
	"gitops.interval": func(s string) string {
		if !reDuration.MatchString(s) {
			return fmt.Sprintf("must be a duration such as \"10m\" or \"1h30m\"; got %q", s)
		}
		return ""
	},
	"gitops.repository.url": gitURLRule,
	"gitops.repository.path": func(s string) string {
		if strings.HasPrefix(s, "/") || strings.Contains("/"+s+"/", "/../") || !reGitPath.MatchString(s) {
			return fmt.Sprintf("must be a path relative to the repository root of letters, digits, '.', '_', '-' and '/', without \"..\"; got %q", s)
		}
		return ""
	},
	"gitops.repository.branch": gitBranchRule,
	"milvus.auth.rootPasswordSecret.key": func(s string) string {
		// The key is a Secret data key (secretKeyRef.key) and a file name in
		// bootstrap's kubectl create secret --from-file.
		if errs := validation.IsConfigMapKey(s); len(errs) > 0 {
			return fmt.Sprintf("must be a Kubernetes Secret key (letters, digits, '-', '_' or '.', at most 253 characters, not \".\" or \"..\"): %s; got %q", strings.Join(errs, "; "), s)
		}
		return ""
	},
	"gitops.repository.secretName": dnsSubdomain,
	"gitops.argocd.namespace":      dnsLabel,
}

// Rules for every element of a list; the path uses * for the index.
var listRules = map[string]stringRule{
	"cluster.zones.*": func(s string) string {
		if !reZone.MatchString(s) {
			return fmt.Sprintf("must be an availability zone such as \"us-east-1a\" (the region and a letter; managed node groups cannot run in Local or Wavelength Zones); got %q", s)
		}
		return ""
	},
	"cluster.nodeGroups.*.name": func(s string) string {
		if len(s) > 63 || !reClusterName.MatchString(s) {
			return fmt.Sprintf("node group name must start with a letter and hold at most 63 letters, digits or '-'; got %q", s)
		}
		return ""
	},
	"cluster.nodeGroups.*.instanceType": func(s string) string {
		if !reInstanceType.MatchString(s) {
			return fmt.Sprintf("must be an EC2 instance type such as \"m6i.4xlarge\"; got %q", s)
		}
		return ""
	},
	"milvus.service.sourceRanges.*": func(s string) string {
		ip, _, err := net.ParseCIDR(s)
		if err != nil {
			return fmt.Sprintf("must be a CIDR such as \"10.0.0.0/8\"; got %q", s)
		}
		if ip.To4() == nil {
			return fmt.Sprintf("IPv6 source ranges need a dualstack load balancer, which milvusgen does not render; got %q", s)
		}
		return ""
	},
}

func bucketRule(s string) string {
	const allowed = "bucket name must be 3-63 lowercase letters, digits, '.' or '-'"
	switch {
	case len(s) < 3 || len(s) > 63 || !reBucketChars.MatchString(s):
		return fmt.Sprintf("%s; got %q", allowed, s)
	case !isAlnum(s[0]) || !isAlnum(s[len(s)-1]):
		return fmt.Sprintf("bucket name must begin and end with a letter or digit; got %q", s)
	case strings.Contains(s, ".."):
		return fmt.Sprintf("bucket name must not contain two adjacent periods; got %q", s)
	case net.ParseIP(s) != nil:
		return fmt.Sprintf("bucket name must not be formatted as an IP address; got %q", s)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(s, p) {
			return fmt.Sprintf("bucket name must not start with %q (reserved by S3); got %q", p, s)
		}
	}
	for _, x := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3", "-an"} {
		if strings.HasSuffix(s, x) {
			return fmt.Sprintf("bucket name must not end with %q (reserved by S3); got %q", x, s)
		}
	}
	return ""
}

func rootPathRule(s string) string {
	switch {
	case s == "":
		return "must not be empty; leave rootPath out to use the whole bucket"
	case strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/"):
		return fmt.Sprintf("must not start or end with '/'; got %q", s)
	case strings.Contains(s, "//"):
		return fmt.Sprintf("must not contain empty segments (\"//\"); got %q", s)
	case slices.Contains(strings.Split(s, "/"), ".") || slices.Contains(strings.Split(s, "/"), ".."):
		return fmt.Sprintf("must not contain \".\" or \"..\" segments: S3 keeps them literally, but the IAM policy and the fleet's bucket-sharing check would read another prefix; got %q", s)
	case strings.ContainsAny(s, "*?\"\\"):
		return fmt.Sprintf("must not contain '*', '?', '\"' or '\\' (they change the IAM resource pattern); got %q", s)
	case len(s) > 512:
		return fmt.Sprintf("must be at most 512 characters; got %d", len(s))
	}
	return ""
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func dnsLabel(s string) string {
	if len(s) > 63 || !reDNSLabel.MatchString(s) {
		return fmt.Sprintf("must be a DNS label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit; got %q", s)
	}
	return ""
}

func dnsSubdomain(s string) string {
	if len(s) > 253 || !reDNSSubdomain.MatchString(s) {
		return fmt.Sprintf("must be a Kubernetes name: lowercase letters, digits, '-' or '.', starting and ending with a letter or digit; got %q", s)
	}
	return ""
}

func oneOf(allowed ...string) stringRule {
	return func(s string) string {
		for _, a := range allowed {
			if s == a {
				return ""
			}
		}
		return fmt.Sprintf("must be one of %s; got %q", quoteList(allowed), s)
	}
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// checkFields applies the string rules to what the user wrote. Values of the
// wrong kind are left to the schema's type errors, except numbers where a
// quoted string is expected, which YAML users write by accident.
func checkFields(r *report, user cue.Value) {
	checkControl(r, user, nil)
	checkInts(r, user)
	for _, path := range slices.Sorted(maps.Keys(stringRules)) {
		checkString(r, user, path, stringRules[path])
	}
	checkUserLabels(r, user)
	if l := user.LookupPath(cue.ParsePath("milvus.service.sourceRanges")); l.Exists() && l.IncompleteKind() == cue.ListKind {
		if n, err := l.Len().Int64(); err == nil && n == 0 {
			r.errorf("milvus.service.sourceRanges", "must list at least one CIDR; leave sourceRanges out to allow the VPC CIDR")
		}
	}
	checkKafkaFields(r, user)
	checkZoneList(r, user)
	for _, pattern := range slices.Sorted(maps.Keys(listRules)) {
		for _, path := range listPaths(user, pattern) {
			checkString(r, user, path, listRules[pattern])
		}
	}
}

// listPaths expands a rule's path whose ".*" stands for every element of
// a list (cluster.nodeGroups.*.name) into the element paths the user's
// spec has; a path without ".*" is itself.
func listPaths(user cue.Value, pattern string) []string {
	head, tail, isList := strings.Cut(pattern, ".*")
	if !isList {
		return []string{pattern}
	}
	list := user.LookupPath(cue.MakePath(selectors(splitPath(head))...))
	if !list.Exists() || list.IncompleteKind() != cue.ListKind {
		return nil
	}
	it, err := list.List()
	if err != nil {
		return nil
	}
	var paths []string
	for i := 0; it.Next(); i++ {
		paths = append(paths, fmt.Sprintf("%s.%d%s", head, i, tail))
	}
	return paths
}

func checkString(r *report, user cue.Value, path string, rule stringRule) {
	if r.paths[path] {
		return // one problem, one message: already reported (control characters)
	}
	x := user.LookupPath(cue.MakePath(selectors(splitPath(path))...))
	if !x.Exists() {
		return
	}
	switch x.IncompleteKind() {
	case cue.StringKind:
		s, err := x.String()
		if err != nil {
			return // not concrete: the schema reports it
		}
		if msg := rule(s); msg != "" {
			r.errorf(path, "%s", msg)
		}
	case cue.IntKind, cue.FloatKind, cue.NumberKind:
		if path == "cluster.kubernetesVersion" || path == "aws.accountID" {
			r.errorf(path, "must be a quoted string (YAML reads 1.30 as 1.3 and drops an account ID's leading zeros); got the number %v", x)
		}
	}
}
