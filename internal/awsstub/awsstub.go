// Package awsstub is a stand-in for the aws and eksctl command-line tools
// in tests of the rendered scripts. It keeps AWS's state as JSON files in
// a directory (the bucket, each IAM policy, the cluster with its node
// groups, addons, identities and VPC), so what a command changes is what a
// later read returns: "a rerun runs nothing" is earned by the state, not
// assumed. Reads answer in the AWS API's shapes, and --query is evaluated
// by a real JMESPath implementation with the AWS CLI's text output.
//
// cmd/awsstub is the binary the tests install as bin/aws and bin/eksctl.
// It does not parse eksctl command lines with eksctl's own commands (that
// would make every call load eksctl whole); the tests do, in-process, for
// every eksctl call a run logged.
package awsstub

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jmespath/go-jmespath"
	"sigs.k8s.io/yaml"
)

// Main runs the stand-in for tool ("aws" or "eksctl") with args, reading
// STUB_STATE, STUB_LOG, STUB_ACCOUNT and STUB_HANG from the environment,
// and returns its exit code.
func Main(tool string, args []string, stdout, stderr io.Writer) int {
	st := &stubState{dir: os.Getenv("STUB_STATE"), stdout: stdout, stderr: stderr}
	logCall(tool, args)
	if hang := os.Getenv("STUB_HANG"); hang != "" && strings.Contains(tool+" "+strings.Join(args, " "), hang) {
		fmt.Fprintln(stderr, "error: timed out waiting for the condition")
		return 1
	}
	var err error
	switch tool {
	case "aws":
		err = st.aws(args)
	case "eksctl":
		err = st.eksctl(args)
	default:
		err = fmt.Errorf("no stand-in for %s", tool)
	}
	var ae *awsError
	switch {
	case errors.As(err, &ae):
		fmt.Fprintf(stderr, "An error occurred (%s) when calling the %s operation: %s\n", ae.code, ae.op, ae.msg)
		return 254
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", tool, err)
		return 1
	}
	return 0
}

func logCall(tool string, args []string) {
	f, err := os.OpenFile(os.Getenv("STUB_LOG"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", tool, strings.Join(args, " "))
}

type awsError struct{ code, op, msg string }

func (e *awsError) Error() string { return e.code }

// stubState reads and writes the state files.
type stubState struct {
	dir            string
	stdout, stderr io.Writer
}

func (st *stubState) path(name string) string { return filepath.Join(st.dir, name) }

func (st *stubState) has(name string) bool {
	_, err := os.Stat(st.path(name))
	return err == nil
}

// load reads name into v; an empty file is the zero value.
func (st *stubState) load(name string, v any) bool {
	data, err := os.ReadFile(st.path(name))
	if err != nil {
		return false
	}
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, v); err != nil {
			panic(fmt.Sprintf("state %s: %v", name, err))
		}
	}
	return true
}

func (st *stubState) save(name string, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(st.path(name), data, 0o644); err != nil {
		panic(err)
	}
}

func (st *stubState) remove(names ...string) {
	for _, n := range names {
		_ = os.Remove(st.path(n))
	}
}

// bucketState is the bucket.
type bucketState struct {
	Ownership   string          `json:"ownership,omitempty"`
	PublicBlock bool            `json:"publicBlock,omitempty"`
	Lifecycle   json.RawMessage `json:"lifecycle,omitempty"`
	// Tags is the bucket's one tag set, which put-bucket-tagging replaces.
	Tags map[string]string `json:"tags,omitempty"`
}

// policyState is one customer-managed IAM policy.
type policyState struct {
	Versions []policyVersion   `json:"versions"`
	Next     int               `json:"next"`
	Tags     map[string]string `json:"tags,omitempty"`
}

type policyVersion struct {
	ID      string `json:"id"`
	Default bool   `json:"default,omitempty"`
	Created int    `json:"created"`
}

func (p *policyState) defaultID() string {
	for _, v := range p.Versions {
		if v.Default {
			return v.ID
		}
	}
	return ""
}

// clusterState is the EKS cluster and what eksctl made with it.
type clusterState struct {
	Version      string                     `json:"version"`
	Tags         map[string]string          `json:"tags,omitempty"`
	OIDC         bool                       `json:"oidc,omitempty"`
	Addons       map[string]*addonState     `json:"addons,omitempty"`
	NodeGroups   map[string]*nodeGroupState `json:"nodeGroups,omitempty"`
	Associations []association              `json:"associations,omitempty"`
	Stacks       []string                   `json:"stacks,omitempty"`
	NATZones     []string                   `json:"natZones,omitempty"`
	Endpoints    map[string]string          `json:"endpoints,omitempty"` // id → service
	// AccessEntries are the cluster's access entries: principal ARN →
	// associated access policy ARNs.
	AccessEntries map[string][]string `json:"accessEntries,omitempty"`
	Next          int                 `json:"next,omitempty"`
}

type addonState struct {
	Version string `json:"version"`
	Role    string `json:"role,omitempty"`
	PIAs    int    `json:"pias,omitempty"`
}

type nodeGroupState struct {
	Desired int    `json:"desired"`
	Min     int    `json:"min"`
	Max     int    `json:"max"`
	Version string `json:"version"`
	Type    string `json:"type"`
}

type association struct {
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
}

// The VPC eksctl makes: three zones, a public and a private subnet in
// each, one route table per private subnet and one for the public ones.
var stubZones = []string{"a", "b", "c"}

const stubVPC = "vpc-0123"

// defaultAddonVersion is the stand-in's AWS default for an addon on
// Kubernetes version k: it moves with the version, as AWS's does.
func defaultAddonVersion(addon, k string) string {
	return "v1." + strings.TrimPrefix(k, "1.") + ".0-eksbuild.1"
}

// parseArgs splits "--flag value..." into flags and their values; a flag
// followed by another flag (or nothing) has no value.
func parseArgs(args []string) (pos []string, flags map[string][]string) {
	flags = map[string][]string{}
	cur := ""
	for _, a := range args {
		if strings.HasPrefix(a, "--") {
			cur = strings.TrimPrefix(a, "--")
			if k, v, ok := strings.Cut(cur, "="); ok {
				flags[k] = append(flags[k], v)
				cur = ""
				continue
			}
			flags[cur] = flags[cur][:0:0]
			continue
		}
		if cur == "" {
			pos = append(pos, a)
			continue
		}
		flags[cur] = append(flags[cur], a)
	}
	return pos, flags
}

func one(flags map[string][]string, k string) string {
	if v := flags[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// filters reads EC2's Name=n,Values=a,b filters.
func filters(flags map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, f := range append(flags["filters"], flags["filter"]...) {
		name, values, _ := strings.Cut(f, ",Values=")
		out[strings.TrimPrefix(name, "Name=")] = strings.Split(values, ",")
	}
	return out
}

func matches(f map[string][]string, name, value string) bool {
	vs, ok := f[name]
	if !ok {
		return true
	}
	for _, v := range vs {
		if v == value {
			return true
		}
	}
	return false
}

// respond prints v as the AWS CLI would: --query through JMESPath, then
// --output text or JSON.
func (st *stubState) respond(flags map[string][]string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	if q := one(flags, "query"); q != "" {
		if doc, err = jmespath.Search(q, doc); err != nil {
			return fmt.Errorf("bad --query %q: %v", q, err)
		}
	}
	if one(flags, "output") != "text" {
		out, _ := json.MarshalIndent(doc, "", "    ")
		fmt.Fprintln(st.stdout, string(out))
		return nil
	}
	if s := textOutput(doc); s != "" {
		fmt.Fprintln(st.stdout, s)
	}
	return nil
}

// textOutput is the AWS CLI's text output of a query result.
func textOutput(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		nested := false
		for _, e := range x {
			if _, ok := e.([]any); ok {
				nested = true
			}
		}
		var parts []string
		for _, e := range x {
			parts = append(parts, textOutput(e))
		}
		if nested {
			return strings.Join(parts, "\n")
		}
		return strings.Join(parts, "\t")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, textOutput(x[k]))
		}
		return strings.Join(parts, "\t")
	}
	return fmt.Sprint(v)
}

// aws answers one AWS CLI call.
func (st *stubState) aws(args []string) error {
	pos, flags := parseArgs(args)
	if len(pos) < 2 {
		return fmt.Errorf("usage: aws SERVICE OPERATION")
	}
	op := pos[0] + " " + pos[1]
	if pos[1] == "wait" && len(pos) > 2 {
		op += " " + pos[2]
	}
	notFound := func(code string) error { return &awsError{code, pos[1], "not found"} }
	var cl clusterState
	hasCluster := st.load("cluster", &cl)
	save := func() { st.save("cluster", &cl) }
	switch op {
	case "sts get-caller-identity":
		return st.respond(flags, map[string]any{"Account": os.Getenv("STUB_ACCOUNT")})

	// S3
	case "s3api head-bucket":
		if !st.has("bucket") {
			return notFound("404")
		}
		return nil
	case "s3api create-bucket":
		st.save("bucket", &bucketState{})
		return nil
	case "s3api get-bucket-ownership-controls", "s3api get-public-access-block", "s3api get-bucket-lifecycle-configuration":
		var b bucketState
		if !st.load("bucket", &b) {
			return notFound("NoSuchBucket")
		}
		switch pos[1] {
		case "get-bucket-ownership-controls":
			if b.Ownership == "" {
				return notFound("OwnershipControlsNotFoundError")
			}
			return st.respond(flags, map[string]any{"OwnershipControls": map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": b.Ownership}}}})
		case "get-public-access-block":
			if !b.PublicBlock {
				return notFound("NoSuchPublicAccessBlockConfiguration")
			}
			return st.respond(flags, map[string]any{"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}})
		}
		if st.has("lifecycle-other") {
			return st.respond(flags, map[string]any{"Rules": []any{map[string]any{"ID": "expire-logs", "Status": "Enabled"}}})
		}
		if b.Lifecycle == nil {
			return notFound("NoSuchLifecycleConfiguration")
		}
		var lc any
		_ = json.Unmarshal(b.Lifecycle, &lc)
		return st.respond(flags, lc)
	case "s3api get-bucket-tagging":
		var b bucketState
		if !st.load("bucket", &b) {
			return notFound("NoSuchBucket")
		}
		if len(b.Tags) == 0 {
			return notFound("NoSuchTagSet")
		}
		set := []any{}
		for _, k := range sortedKeys(b.Tags) {
			set = append(set, map[string]any{"Key": k, "Value": b.Tags[k]})
		}
		return st.respond(flags, map[string]any{"TagSet": set})
	case "s3api put-bucket-tagging":
		var b bucketState
		if !st.load("bucket", &b) {
			return notFound("NoSuchBucket")
		}
		var tagging struct{ TagSet []struct{ Key, Value string } }
		if err := json.Unmarshal([]byte(one(flags, "tagging")), &tagging); err != nil {
			return &awsError{"MalformedXML", "PutBucketTagging", err.Error()}
		}
		b.Tags = map[string]string{}
		for _, t := range tagging.TagSet {
			b.Tags[t.Key] = t.Value
		}
		st.save("bucket", &b)
		return nil
	case "s3api put-bucket-ownership-controls", "s3api put-public-access-block", "s3api put-bucket-lifecycle-configuration":
		var b bucketState
		if !st.load("bucket", &b) {
			return notFound("NoSuchBucket")
		}
		switch pos[1] {
		case "put-bucket-ownership-controls":
			b.Ownership = "BucketOwnerEnforced"
		case "put-public-access-block":
			b.PublicBlock = true
		default:
			b.Lifecycle = json.RawMessage(one(flags, "lifecycle-configuration"))
		}
		st.save("bucket", &b)
		return nil
	case "s3api delete-bucket":
		if st.has("objects") {
			return &awsError{"BucketNotEmpty", "DeleteBucket", "The bucket you tried to delete is not empty"}
		}
		st.remove("bucket")
		return nil

	// IAM
	case "iam get-policy", "iam list-policy-tags", "iam tag-policy", "iam list-policy-versions",
		"iam create-policy-version", "iam delete-policy-version", "iam delete-policy":
		arn := one(flags, "policy-arn")
		name := "policy-" + arn[strings.LastIndex(arn, "/")+1:]
		var p policyState
		if !st.load(name, &p) {
			return notFound("NoSuchEntity")
		}
		switch pos[1] {
		case "get-policy":
			return st.respond(flags, map[string]any{"Policy": map[string]any{"Arn": arn, "DefaultVersionId": p.defaultID()}})
		case "list-policy-tags":
			tags := []any{}
			for _, k := range sortedKeys(p.Tags) {
				tags = append(tags, map[string]any{"Key": k, "Value": p.Tags[k]})
			}
			return st.respond(flags, map[string]any{"Tags": tags})
		case "tag-policy":
			arg := one(flags, "tags")
			if strings.HasPrefix(arg, "[") {
				// The JSON form: a list of {"Key", "Value"}.
				var list []struct{ Key, Value string }
				if err := json.Unmarshal([]byte(arg), &list); err != nil {
					return &awsError{"MalformedPolicyDocument", "TagPolicy", err.Error()}
				}
				if p.Tags == nil {
					p.Tags = map[string]string{}
				}
				for _, t := range list {
					p.Tags[t.Key] = t.Value
				}
				break
			}
			k, v := tagArg(arg)
			p.Tags[k] = v
		case "list-policy-versions":
			vs := []any{}
			for _, v := range p.Versions {
				vs = append(vs, map[string]any{"VersionId": v.ID, "IsDefaultVersion": v.Default, "CreateDate": fmt.Sprintf("2026-01-01T00:00:%02dZ", v.Created)})
			}
			return st.respond(flags, map[string]any{"Versions": vs})
		case "create-policy-version":
			if len(p.Versions) >= 5 {
				return &awsError{"LimitExceeded", "CreatePolicyVersion", "A managed policy can have up to 5 versions"}
			}
			for i := range p.Versions {
				p.Versions[i].Default = false
			}
			id := fmt.Sprintf("v%d", p.Next)
			p.Versions = append(p.Versions, policyVersion{ID: id, Default: true, Created: p.Next})
			p.Next++
			st.save(name, &p)
			return st.respond(flags, map[string]any{"PolicyVersion": map[string]any{"VersionId": id, "IsDefaultVersion": true}})
		case "delete-policy-version":
			id := one(flags, "version-id")
			var keep []policyVersion
			for _, v := range p.Versions {
				switch {
				case v.ID == id && v.Default:
					return &awsError{"DeleteConflict", "DeletePolicyVersion", "Cannot delete the default version"}
				case v.ID != id:
					keep = append(keep, v)
				}
			}
			p.Versions = keep
		case "delete-policy":
			if len(p.Versions) > 1 {
				return &awsError{"DeleteConflict", "DeletePolicy", "delete the non-default versions first"}
			}
			st.remove(name)
			return nil
		}
		st.save(name, &p)
		return nil
	case "iam create-policy":
		k, v := tagArg(one(flags, "tags"))
		st.save("policy-"+one(flags, "policy-name"), &policyState{
			Versions: []policyVersion{{ID: "v1", Default: true, Created: 1}}, Next: 2, Tags: map[string]string{k: v}})
		return nil
	case "iam list-open-id-connect-providers":
		list := []any{}
		if hasCluster && cl.OIDC {
			list = append(list, map[string]any{"Arn": "arn:aws:iam::" + os.Getenv("STUB_ACCOUNT") + ":oidc-provider/oidc.eks.stub.amazonaws.com/id/STUB0123"})
		}
		return st.respond(flags, map[string]any{"OpenIDConnectProviderList": list})

	// EKS
	case "eks update-kubeconfig":
		if !hasCluster {
			return notFound("ResourceNotFoundException")
		}
		return nil
	case "eks describe-addon-versions":
		k, addon := one(flags, "kubernetes-version"), one(flags, "addon-name")
		newer := "v1." + strings.TrimPrefix(k, "1.") + ".9-eksbuild.1"
		return st.respond(flags, map[string]any{"addons": []any{map[string]any{"addonName": addon, "addonVersions": []any{
			map[string]any{"addonVersion": newer, "compatibilities": []any{map[string]any{"clusterVersion": k, "defaultVersion": false}}},
			map[string]any{"addonVersion": defaultAddonVersion(addon, k), "compatibilities": []any{map[string]any{"clusterVersion": k, "defaultVersion": true}}},
		}}}})
	}
	if strings.HasPrefix(op, "eks ") || strings.HasPrefix(op, "ec2 ") || strings.HasPrefix(op, "cloudformation ") {
		if !hasCluster && !strings.HasPrefix(op, "ec2 wait") && op != "ec2 delete-volume" {
			return notFound("ResourceNotFoundException")
		}
	}
	switch op {
	case "eks describe-cluster":
		tags := cl.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		return st.respond(flags, map[string]any{"cluster": map[string]any{
			"name": one(flags, "name"), "arn": "arn:aws:eks:stub:" + os.Getenv("STUB_ACCOUNT") + ":cluster/" + one(flags, "name"),
			"version": cl.Version, "tags": tags,
			"identity":             map[string]any{"oidc": map[string]any{"issuer": "https://oidc.eks.stub.amazonaws.com/id/STUB0123"}},
			"resourcesVpcConfig":   map[string]any{"vpcId": stubVPC},
			"endpoint":             "https://STUB0123.gr7.stub.eks.amazonaws.com",
			"certificateAuthority": map[string]any{"data": "U1RVQiBDQQ=="},
		}})
	case "eks describe-access-entry", "eks create-access-entry", "eks delete-access-entry",
		"eks list-associated-access-policies", "eks associate-access-policy":
		p := one(flags, "principal-arn")
		pols, ok := cl.AccessEntries[p]
		switch pos[1] {
		case "create-access-entry":
			if ok {
				return &awsError{"ResourceInUseException", "CreateAccessEntry", "The specified access entry resource is already in use on this cluster."}
			}
			if cl.AccessEntries == nil {
				cl.AccessEntries = map[string][]string{}
			}
			cl.AccessEntries[p] = []string{}
			save()
			return st.respond(flags, map[string]any{"accessEntry": map[string]any{"principalArn": p, "type": one(flags, "type")}})
		}
		if !ok {
			return notFound("ResourceNotFoundException")
		}
		switch pos[1] {
		case "describe-access-entry":
			return st.respond(flags, map[string]any{"accessEntry": map[string]any{"principalArn": p, "type": "STANDARD"}})
		case "delete-access-entry":
			delete(cl.AccessEntries, p)
			save()
			return nil
		case "associate-access-policy":
			pol := one(flags, "policy-arn")
			if !slices.Contains(pols, pol) {
				cl.AccessEntries[p] = append(pols, pol)
				save()
			}
			return st.respond(flags, map[string]any{"principalArn": p})
		}
		l := []any{}
		for _, pol := range pols {
			l = append(l, map[string]any{"policyArn": pol, "accessScope": map[string]any{"type": "cluster"}})
		}
		return st.respond(flags, map[string]any{"associatedAccessPolicies": l})
	case "eks tag-resource":
		if cl.Tags == nil {
			cl.Tags = map[string]string{}
		}
		for _, kv := range strings.Split(one(flags, "tags"), ",") {
			k, v, _ := strings.Cut(kv, "=")
			cl.Tags[k] = v
		}
		save()
		return nil
	case "eks describe-addon", "eks update-addon":
		a, ok := cl.Addons[one(flags, "addon-name")]
		if !ok {
			return notFound("ResourceNotFoundException")
		}
		if pos[1] == "update-addon" {
			a.Version = one(flags, "addon-version")
			save()
			return st.respond(flags, map[string]any{"update": map[string]any{"status": "InProgress"}})
		}
		out := map[string]any{"addonName": one(flags, "addon-name"), "addonVersion": a.Version}
		if a.Role != "" {
			out["serviceAccountRoleArn"] = a.Role
		}
		if a.PIAs > 0 {
			l := []any{}
			for i := 0; i < a.PIAs; i++ {
				l = append(l, fmt.Sprintf("arn:aws:eks:stub:association/%d", i))
			}
			out["podIdentityAssociations"] = l
		}
		return st.respond(flags, map[string]any{"addon": out})
	case "eks wait addon-active":
		return nil
	case "eks list-nodegroups":
		return st.respond(flags, map[string]any{"nodegroups": sortedKeys(cl.NodeGroups)})
	case "eks describe-nodegroup":
		g, ok := cl.NodeGroups[one(flags, "nodegroup-name")]
		if !ok {
			return notFound("ResourceNotFoundException")
		}
		return st.respond(flags, map[string]any{"nodegroup": map[string]any{
			"scalingConfig": map[string]any{"desiredSize": g.Desired, "minSize": g.Min, "maxSize": g.Max},
			"version":       g.Version, "instanceTypes": []string{g.Type}}})
	case "eks list-pod-identity-associations":
		l := []any{}
		for _, a := range cl.Associations {
			if (one(flags, "namespace") == "" || a.Namespace == one(flags, "namespace")) &&
				(one(flags, "service-account") == "" || a.ServiceAccount == one(flags, "service-account")) {
				l = append(l, map[string]any{"namespace": a.Namespace, "serviceAccount": a.ServiceAccount})
			}
		}
		return st.respond(flags, map[string]any{"associations": l})
	case "cloudformation describe-stacks":
		for _, s := range cl.Stacks {
			if s == one(flags, "stack-name") {
				return st.respond(flags, map[string]any{"Stacks": []any{map[string]any{"StackName": s, "StackStatus": "CREATE_COMPLETE"}}})
			}
		}
		return &awsError{"ValidationError", "DescribeStacks", "Stack with id " + one(flags, "stack-name") + " does not exist"}
	case "ec2 describe-subnets":
		f := filters(flags)
		l := []any{}
		for _, z := range stubZones {
			for _, public := range []bool{true, false} {
				kind := map[bool]string{true: "public", false: "private"}[public]
				if matches(f, "vpc-id", stubVPC) && matches(f, "availability-zone", "stub-"+z) && matches(f, "map-public-ip-on-launch", strconv.FormatBool(public)) {
					l = append(l, map[string]any{"SubnetId": "subnet-" + kind + "-" + z, "AvailabilityZone": "stub-" + z, "MapPublicIpOnLaunch": public})
				}
			}
		}
		return st.respond(flags, map[string]any{"Subnets": l})
	case "ec2 describe-route-tables":
		f := filters(flags)
		l := []any{}
		tables := map[string][]string{"rtb-public": {"subnet-public-a", "subnet-public-b", "subnet-public-c"}}
		for _, z := range stubZones {
			tables["rtb-private-"+z] = []string{"subnet-private-" + z}
		}
		for _, id := range sortedKeys(tables) {
			_, filtered := f["association.subnet-id"]
			ok := !filtered
			for _, s := range tables[id] {
				ok = ok || (filtered && matches(f, "association.subnet-id", s))
			}
			if ok && matches(f, "vpc-id", stubVPC) {
				l = append(l, map[string]any{"RouteTableId": id})
			}
		}
		return st.respond(flags, map[string]any{"RouteTables": l})
	case "ec2 describe-nat-gateways":
		l := []any{}
		for _, z := range cl.NATZones {
			l = append(l, map[string]any{"SubnetId": "subnet-public-" + z, "State": "available"})
		}
		return st.respond(flags, map[string]any{"NatGateways": l})
	case "ec2 describe-vpc-endpoints":
		f := filters(flags)
		l := []any{}
		for _, id := range sortedKeys(cl.Endpoints) {
			if matches(f, "vpc-id", stubVPC) && matches(f, "service-name", cl.Endpoints[id]) && matches(f, "vpc-endpoint-state", "available") {
				l = append(l, map[string]any{"VpcEndpointId": id, "ServiceName": cl.Endpoints[id], "State": "available"})
			}
		}
		return st.respond(flags, map[string]any{"VpcEndpoints": l})
	case "ec2 create-vpc-endpoint":
		if len(flags["route-table-ids"]) == 0 || one(flags, "vpc-endpoint-type") != "Gateway" {
			return &awsError{"InvalidParameter", "CreateVpcEndpoint", "a gateway endpoint needs route tables"}
		}
		if cl.Endpoints == nil {
			cl.Endpoints = map[string]string{}
		}
		cl.Next++
		id := fmt.Sprintf("vpce-%04d", cl.Next)
		cl.Endpoints[id] = one(flags, "service-name")
		save()
		return st.respond(flags, map[string]any{"VpcEndpoint": map[string]any{"VpcEndpointId": id}})
	case "ec2 delete-vpc-endpoints":
		for _, id := range flags["vpc-endpoint-ids"] {
			delete(cl.Endpoints, id)
		}
		save()
		return nil
	case "ec2 wait volume-available", "ec2 delete-volume":
		return nil
	}
	return fmt.Errorf("the stand-in does not know aws %s", strings.Join(args, " "))
}

// tagArg reads IAM's Key=k,Value=v.
func tagArg(s string) (string, string) {
	k, v, _ := strings.Cut(strings.TrimPrefix(s, "Key="), ",Value=")
	return k, v
}

// clusterConfig is what the stand-in reads of an eksctl ClusterConfig.
type clusterConfig struct {
	Metadata struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"metadata"`
	VPC struct {
		NAT struct {
			Gateway string `json:"gateway"`
		} `json:"nat"`
	} `json:"vpc"`
	IAM struct {
		WithOIDC        bool `json:"withOIDC"`
		ServiceAccounts []struct {
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		} `json:"serviceAccounts"`
		PodIdentityAssociations []struct {
			Namespace          string `json:"namespace"`
			ServiceAccountName string `json:"serviceAccountName"`
		} `json:"podIdentityAssociations"`
	} `json:"iam"`
	ManagedNodeGroups []struct {
		Name            string `json:"name"`
		InstanceType    string `json:"instanceType"`
		DesiredCapacity *int   `json:"desiredCapacity"`
		MinSize         *int   `json:"minSize"`
		MaxSize         *int   `json:"maxSize"`
	} `json:"managedNodeGroups"`
	Addons []*clusterAddon `json:"addons"`
}

type clusterAddon struct {
	Name                              string          `json:"name"`
	Version                           string          `json:"version"`
	AttachPolicyARNs                  []string        `json:"attachPolicyARNs"`
	WellKnownPolicies                 map[string]bool `json:"wellKnownPolicies"`
	ServiceAccountRoleARN             string          `json:"serviceAccountRoleARN"`
	UseDefaultPodIdentityAssociations bool            `json:"useDefaultPodIdentityAssociations"`
	PodIdentityAssociations           *[]any          `json:"podIdentityAssociations"`
}

// defaultKubernetesVersion is eksctl v0.230.0's default.
const defaultKubernetesVersion = "1.35"

// eksctl answers one eksctl call.
func (st *stubState) eksctl(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: eksctl VERB RESOURCE")
	}
	verb := args[0] + " " + args[1]
	pos, flags := parseArgs(args[2:])
	for i := 0; i+1 < len(pos); i++ {
		if pos[i] == "-f" {
			flags["config-file"] = []string{pos[i+1]}
		}
	}
	flag := func(name string) string {
		v, ok := flags[name]
		if ok && len(v) == 0 {
			return "true"
		}
		return one(flags, name)
	}
	var cfg clusterConfig
	if f := flag("config-file"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
	}
	var cl clusterState
	has := st.load("cluster", &cl)
	if verb == "get cluster" {
		if !has {
			return fmt.Errorf("no cluster %q", flag("name"))
		}
		return nil
	}
	if verb == "create cluster" {
		if has {
			return fmt.Errorf("cluster exists")
		}
		cl = clusterState{Version: cfg.Metadata.Version, OIDC: cfg.IAM.WithOIDC,
			Addons: map[string]*addonState{}, NodeGroups: map[string]*nodeGroupState{}}
		if cl.Version == "" {
			cl.Version = defaultKubernetesVersion
		}
		cl.NATZones = []string{"a"}
		if cfg.VPC.NAT.Gateway == "HighlyAvailable" {
			cl.NATZones = stubZones
		}
		cl.createNodeGroups(&cfg)
		cl.createAddons(&cfg)
		cl.createIdentities(&cfg, true)
		st.save("cluster", &cl)
		return nil
	}
	if !has {
		return fmt.Errorf("cluster %q does not exist", cfg.Metadata.Name)
	}
	switch verb {
	case "delete cluster":
		if len(cl.Endpoints) > 0 {
			return fmt.Errorf("deleting the VPC failed: DependencyViolation: VPC endpoints %v are in it", sortedKeys(cl.Endpoints))
		}
		st.remove("cluster", "flux", "secret", "rootsecret", "argocd", "gitsecret", "argocd-ns", "install-kustomization", "applied")
		return nil
	case "create nodegroup":
		cl.createNodeGroups(&cfg)
	case "create addon":
		cl.createAddons(&cfg)
	case "update addon":
		for _, a := range cfg.Addons {
			if s, ok := cl.Addons[a.Name]; ok {
				if a.Version != "" {
					s.Version = a.Version
				}
				cl.giveRole(s, a)
			}
		}
	case "utils associate-iam-oidc-provider":
		cl.OIDC = true
	case "upgrade cluster":
		v := flag("version")
		if v == "" {
			v = cfg.Metadata.Version
		}
		if minorOf(v) != minorOf(cl.Version)+1 {
			return fmt.Errorf("upgrading more than one Kubernetes minor version at a time is not supported (%s → %s)", cl.Version, v)
		}
		cl.Version = v
	case "upgrade nodegroup":
		g, ok := cl.NodeGroups[flag("name")]
		if !ok {
			return fmt.Errorf("no node group %q", flag("name"))
		}
		v := flag("kubernetes-version")
		if minorOf(v) > minorOf(cl.Version) {
			return fmt.Errorf("node group version %s is newer than the control plane's %s", v, cl.Version)
		}
		g.Version = v
	case "scale nodegroup":
		name := flag("name")
		g, ok := cl.NodeGroups[name]
		if !ok {
			return fmt.Errorf("no node group %q", name)
		}
		found := false
		for _, ng := range cfg.ManagedNodeGroups {
			if ng.Name == name {
				found = true
				g.Desired = deref(ng.DesiredCapacity, g.Desired)
				g.Min = deref(ng.MinSize, g.Min)
				g.Max = deref(ng.MaxSize, g.Max)
			}
		}
		if !found {
			return fmt.Errorf("node group %q is not in %s", name, flag("config-file"))
		}
	case "delete nodegroup":
		if flag("approve") != "true" {
			return fmt.Errorf("the stand-in deletes node groups only with --approve")
		}
		inFile := map[string]bool{}
		for _, ng := range cfg.ManagedNodeGroups {
			inFile[ng.Name] = true
		}
		// --only-missing deletes the groups the file lacks; without it,
		// eksctl deletes the groups the file names.
		onlyMissing := flag("only-missing") == "true"
		for name := range cl.NodeGroups {
			if inFile[name] != onlyMissing {
				delete(cl.NodeGroups, name)
			}
		}
	case "delete iamserviceaccount":
		if flag("approve") != "true" {
			return fmt.Errorf("the stand-in deletes service accounts only with --approve")
		}
		gone := map[string]bool{}
		for _, sa := range cfg.IAM.ServiceAccounts {
			gone["eksctl-"+cfg.Metadata.Name+"-addon-iamserviceaccount-"+sa.Metadata.Namespace+"-"+sa.Metadata.Name] = true
		}
		var keep []string
		for _, stack := range cl.Stacks {
			if !gone[stack] {
				keep = append(keep, stack)
			}
		}
		cl.Stacks = keep
	case "delete podidentityassociation":
		gone := map[association]bool{}
		for _, p := range cfg.IAM.PodIdentityAssociations {
			gone[association{p.Namespace, p.ServiceAccountName}] = true
		}
		var keep []association
		for _, a := range cl.Associations {
			if !gone[a] {
				keep = append(keep, a)
			}
		}
		cl.Associations = keep
	case "create iamserviceaccount":
		if !cl.OIDC {
			return fmt.Errorf("unable to create iamserviceaccount(s) without IAM OIDC provider enabled")
		}
		cl.createIdentities(&cfg, false)
	case "update iamserviceaccount", "update podidentityassociation":
	case "create podidentityassociation":
		a := association{flag("namespace"), flag("service-account-name")}
		for _, x := range cl.Associations {
			if x == a {
				return fmt.Errorf("pod identity association %s/%s already exists", a.Namespace, a.ServiceAccount)
			}
		}
		cl.Associations = append(cl.Associations, a)
	default:
		return fmt.Errorf("the stand-in does not know eksctl %s", verb)
	}
	st.save("cluster", &cl)
	return nil
}

func deref(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func minorOf(v string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "1."))
	return n
}

func (cl *clusterState) createNodeGroups(cfg *clusterConfig) {
	if cl.NodeGroups == nil {
		cl.NodeGroups = map[string]*nodeGroupState{}
	}
	for _, ng := range cfg.ManagedNodeGroups {
		if _, ok := cl.NodeGroups[ng.Name]; ok {
			continue
		}
		d := deref(ng.DesiredCapacity, 2)
		cl.NodeGroups[ng.Name] = &nodeGroupState{Desired: d, Min: deref(ng.MinSize, d), Max: deref(ng.MaxSize, d), Version: cl.Version, Type: ng.InstanceType}
	}
}

// createAddons creates the file's missing addons, at the pinned version or
// AWS's default, as eksctl does; an addon that needs an IRSA role gets none
// without the OIDC provider (eksctl's behaviour the bootstrap repair met).
func (cl *clusterState) createAddons(cfg *clusterConfig) {
	if cl.Addons == nil {
		cl.Addons = map[string]*addonState{}
	}
	for _, a := range cfg.Addons {
		if _, ok := cl.Addons[a.Name]; ok {
			continue
		}
		v := a.Version
		if v == "" {
			v = defaultAddonVersion(a.Name, cl.Version)
		}
		if v == "latest" {
			v = "v1." + strings.TrimPrefix(cl.Version, "1.") + ".9-eksbuild.1"
		}
		s := &addonState{Version: v}
		cl.giveRole(s, a)
		cl.Addons[a.Name] = s
	}
}

func (cl *clusterState) giveRole(s *addonState, a *clusterAddon) {
	switch {
	case a.UseDefaultPodIdentityAssociations || a.PodIdentityAssociations != nil:
		s.PIAs = 1
	case len(a.AttachPolicyARNs) > 0 || len(a.WellKnownPolicies) > 0 || a.ServiceAccountRoleARN != "":
		if cl.OIDC {
			s.Role = "arn:aws:iam::stub:role/eksctl-addon-" + a.Name
		}
	}
}

func (cl *clusterState) createIdentities(cfg *clusterConfig, associations bool) {
	for _, sa := range cfg.IAM.ServiceAccounts {
		stack := "eksctl-" + cfg.Metadata.Name + "-addon-iamserviceaccount-" + sa.Metadata.Namespace + "-" + sa.Metadata.Name
		found := false
		for _, s := range cl.Stacks {
			found = found || s == stack
		}
		if !found {
			cl.Stacks = append(cl.Stacks, stack)
		}
	}
	if associations {
		for _, p := range cfg.IAM.PodIdentityAssociations {
			cl.Associations = append(cl.Associations, association{p.Namespace, p.ServiceAccountName})
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
