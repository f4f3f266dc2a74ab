package agreement

import (
	"cmp"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Location is a field in a rendered file.
type Location struct {
	// File is the slash-separated path in the tree, e.g.
	// "aws/eksctl-cluster.yaml".
	File string
	// Object names the document in a multi-document YAML file as
	// Kind/namespace/name; empty for single-document files.
	Object string
	// Field is the field path in the file or object, e.g.
	// "iam.serviceAccounts[1].metadata.name".
	Field string
}

func (l Location) String() string {
	parts := []string{l.File}
	if l.Object != "" {
		parts = append(parts, l.Object)
	}
	if l.Field != "" {
		parts = append(parts, l.Field)
	}
	return strings.Join(parts, " ")
}

// Problem is a value on which two artifacts disagree, or an artifact Check
// could not read.
type Problem struct {
	// What names the value, e.g. "bucket" or "Milvus service account".
	What string
	// At is where the disagreeing value is, and Got what it holds.
	At  Location
	Got string
	// Other is where the value most of the tree agrees on is, and Want that
	// value. Other is zero when the problem is not a disagreement.
	Other Location
	Want  string
	// Msg explains a problem that is not a disagreement (a missing file,
	// a parse error, a field that is not set).
	Msg string
}

func (p Problem) String() string {
	if p.Other.File == "" {
		return p.At.String() + ": " + p.Msg
	}
	return fmt.Sprintf("%s: %s is %q, but %s has %q", p.At, p.What, p.Got, p.Other, p.Want)
}

// The values Check compares, in report order.
const (
	clusterName      = "cluster name"
	region           = "region"
	partition        = "AWS partition"
	accountID        = "account ID"
	bucket           = "bucket"
	rootPath         = "rootPath"
	milvusNamespace  = "Milvus namespace"
	milvusSA         = "Milvus service account"
	milvusPolicyName = "Milvus policy name"
	lbcNamespace     = "LB controller namespace"
	lbcSA            = "LB controller service account"
)

var order = []string{clusterName, region, partition, accountID, bucket, rootPath,
	milvusNamespace, milvusSA, milvusPolicyName, lbcNamespace, lbcSA}

// observation is one place a value appears.
type observation struct {
	at  Location
	val string
}

// tree collects what the artifacts of one tree say.
type tree struct {
	fsys     fs.FS
	seen     map[string][]observation
	problems []Problem
	// policyARNs are the IAM policy ARNs the aws/iam documents grant
	// on, with where; the Milvus policy bound in eksctl must be one of them.
	policyARNs []observation
	// boundPolicies are the customer-managed policies eksctl binds to the
	// Milvus service account.
	boundPolicies []observation
}

func (t *tree) observe(what string, at Location, val string) {
	t.seen[what] = append(t.seen[what], observation{at, val})
}

func (t *tree) problem(at Location, format string, args ...any) {
	t.problems = append(t.problems, Problem{At: at, Msg: fmt.Sprintf(format, args...)})
}

// Check parses the rendered tree in fsys (the directory given to
// milvusgen render -o) and returns every disagreement between its
// artifacts, and every required artifact it could not read; nil means the
// tree is consistent. Problems come in a fixed order: by value, then by
// file and field.
func Check(fsys fs.FS) []Problem {
	t := &tree{fsys: fsys, seen: map[string][]observation{}}
	t.readEksctl()
	t.readIAM()
	t.readHelmReleases()
	t.readScripts()
	t.checkBoundPolicy()

	problems := t.problems
	for _, what := range order {
		problems = append(problems, disagreements(what, t.seen[what])...)
	}
	return problems
}

// disagreements compares every observation of a value with the value most
// observations hold; on a tie, the value seen first wins.
func disagreements(what string, obs []observation) []Problem {
	if len(obs) < 2 {
		return nil
	}
	count := map[string]int{}
	for _, o := range obs {
		count[o.val]++
	}
	ref := obs[0]
	for _, o := range obs {
		if count[o.val] > count[ref.val] {
			ref = o
		}
	}
	var out []Problem
	for _, o := range obs {
		if o.val != ref.val {
			out = append(out, Problem{What: what, At: o.at, Got: o.val, Other: ref.at, Want: ref.val})
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.At.File, b.At.File), cmp.Compare(a.At.Field, b.At.Field))
	})
	return out
}
