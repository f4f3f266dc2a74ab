package fleet

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"cuelang.org/go/cue/token"
)

// Problem is a collision between two environments of a fleet.
type Problem struct {
	// What is the kind of name and its AWS (or Git) scope.
	What string
	// Value is the colliding value.
	Value string
	// Why says what goes wrong and how to fix it.
	Why string
	// A and B are the two environments, in fleet order.
	A, B Ref
	// Differs says A and B must agree on the value and do not (Value is
	// B's), where the others say they must not share it.
	Differs bool
}

// Ref is where one environment sets a value: the field and the position in
// its spec files (or the fleet file, for outputs).
type Ref struct {
	Env   string
	Field string
	Pos   token.Pos
}

func (r Ref) String() string {
	pos := "(default)"
	if r.Pos.IsValid() {
		pos = r.Pos.String()
	}
	return fmt.Sprintf("%s: %s (%s)", r.Env, pos, r.Field)
}

func (p Problem) Error() string {
	if p.Differs {
		return fmt.Sprintf("%s differs between environments %s and %s (%q); %s\n  %s\n  %s",
			p.What, p.A.Env, p.B.Env, p.Value, p.Why, p.A, p.B)
	}
	return fmt.Sprintf("%s %q is used by environments %s and %s; %s\n  %s\n  %s",
		p.What, p.Value, p.A.Env, p.B.Env, p.Why, p.A, p.B)
}

// claim is one environment's use of a name within a scope.
type claim struct {
	scope string // "" when the name is global to its class
	key   string // the name as AWS compares it
	value string // the name as written
	ref   Ref
	// prefix is the S3 key prefix a bucket claim is limited to.
	prefix string
}

// class is one kind of name and the rule two claims of it must obey.
type class struct {
	what, why string
	claims    func(e *Env) []claim
	// conflict reports whether two claims with equal scope and key
	// collide; nil means they always do.
	conflict func(a, b claim) bool
}

// ref is where e sets field, or, for a name milvusgen derives, the field
// it is derived from.
func ref(e *Env, field string, derivedFrom ...string) Ref {
	pos, set := e.Result.Pos(field)
	if set || len(derivedFrom) == 0 {
		return Ref{Env: e.Name, Field: field, Pos: pos}
	}
	pos, _ = e.Result.Pos(derivedFrom[0])
	return Ref{Env: e.Name, Field: field + " derived from " + strings.Join(derivedFrom, " and "), Pos: pos}
}

// The scopes are AWS's: IAM names are unique per account, case-
// insensitively (IAM CreatePolicy: "IAM user, group, role, and policy
// names must be unique within the account. Names are not distinguished by
// case."); EKS cluster names per account and region (EKS CreateCluster:
// "unique within the AWS Region and AWS account"); load balancer names per
// account and region (ELBv2 CreateLoadBalancer); S3 bucket names per
// partition (S3 bucket naming rules).
var classes = []class{
	{
		what: "IAM policy name",
		why:  "IAM policy names are unique per account (case-insensitive), so the second bootstrap.sh would repoint the first cluster's policy at its own bucket; set storage.policyName in one of them, or leave it unset to derive it from the cluster",
		claims: func(e *Env) []claim {
			s := e.Result.Spec
			cs := []claim{{
				scope: s.AWS.AccountID, key: strings.ToLower(s.Storage.PolicyName), value: s.Storage.PolicyName,
				ref: ref(e, "storage.policyName", "cluster.name", "aws.region"),
			}}
			if s.UsesKMSKey() {
				cs = append(cs, claim{
					scope: s.AWS.AccountID, key: strings.ToLower(s.KMSPolicyName()), value: s.KMSPolicyName(),
					ref: Ref{Env: e.Name, Field: "EBS KMS policy derived from cluster.name", Pos: posOf(e, "cluster.name")},
				})
			}
			if s.Backup != nil {
				cs = append(cs, claim{
					scope: s.AWS.AccountID, key: strings.ToLower(s.Backup.PolicyName), value: s.Backup.PolicyName,
					ref: ref(e, "backup.policyName", "cluster.name", "aws.region"),
				})
			}
			return cs
		},
	},
	{
		what: "EKS cluster name",
		why:  "EKS cluster names are unique per account and region; give one of them another cluster.name",
		claims: func(e *Env) []claim {
			s := e.Result.Spec
			return []claim{{scope: s.AWS.AccountID + "/" + s.AWS.Region, key: s.Cluster.Name, value: s.Cluster.Name, ref: ref(e, "cluster.name")}}
		},
	},
	{
		what: "load balancer name",
		why:  "NLB names are unique per account and region, so the second cluster's Service would never get its load balancer; set milvus.service.loadBalancerName in one of them, or leave it unset to derive it from the cluster",
		claims: func(e *Env) []claim {
			s := e.Result.Spec
			n := s.Milvus.Service.LoadBalancerName
			return []claim{{scope: s.AWS.AccountID + "/" + s.AWS.Region, key: strings.ToLower(n), value: n, ref: ref(e, "milvus.service.loadBalancerName", "cluster.name")}}
		},
	},
	{
		what: "S3 bucket",
		why:  "bucket names are unique per partition; environments may share a bucket only with storage.rootPath set in each to prefixes that differ and do not nest, so each policy reaches only its own prefix",
		claims: func(e *Env) []claim {
			s := e.Result.Spec
			return []claim{{scope: s.Partition(), key: s.Storage.Bucket, value: s.Storage.Bucket, ref: ref(e, "storage.bucket"), prefix: s.Storage.RootPath}}
		},
		conflict: func(a, b claim) bool { return nests(a.prefix, b.prefix) },
	},
}

// nests reports whether two key prefixes overlap: equal, one inside the
// other, or either empty (the whole bucket). They are compared cleaned
// (path.Clean), so "tenant-b/../tenant-a" is "tenant-a"; the spec refuses
// such segments too, but the comparison must not depend on it.
func nests(a, b string) bool {
	a, b = cleanPrefix(a), cleanPrefix(b)
	if a == "" || b == "" {
		return true
	}
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}

// cleanPrefix is a key prefix with ".", ".." and empty segments resolved,
// without leading or trailing '/'; "" is the whole bucket.
func cleanPrefix(p string) string {
	c := strings.Trim(path.Clean("/"+p), "/")
	if c == "." {
		return ""
	}
	return c
}

func posOf(e *Env, field string) token.Pos {
	p, _ := e.Result.Pos(field)
	return p
}

// Check compares the environments, which must all have loaded, with each
// other and returns every collision, in a stable order: per class, per
// pair in fleet order.
func Check(envs []*Env) []Problem {
	var out []Problem
	for _, c := range classes {
		seen := map[[2]string][]claim{}
		for _, e := range envs {
			for _, cl := range c.claims(e) {
				k := [2]string{cl.scope, cl.key}
				for _, prev := range seen[k] {
					if prev.ref.Env == cl.ref.Env {
						continue
					}
					if c.conflict == nil || c.conflict(prev, cl) {
						out = append(out, Problem{What: c.what, Value: cl.value, Why: c.why, A: prev.ref, B: cl.ref})
					}
				}
				seen[k] = append(seen[k], cl)
			}
		}
	}
	out = append(out, checkGit(envs)...)
	out = append(out, checkOutputs(envs)...)
	out = append(out, checkHub(envs)...)
	return out
}

// checkGit: two environments synced from one repository and branch must
// have paths that do not overlap, or one's Flux would apply (and prune)
// the other's tree.
func checkGit(envs []*Env) []Problem {
	var out []Problem
	for i, a := range envs {
		for _, b := range envs[i+1:] {
			ra, rb := a.Result.Spec.GitOps.Repository, b.Result.Spec.GitOps.Repository
			if ra.URL == "" || rb.URL == "" || normalizeURL(ra.URL) != normalizeURL(rb.URL) || ra.Branch != rb.Branch {
				continue
			}
			pa, pb := CleanGitPath(ra.Path), CleanGitPath(rb.Path)
			if !nests(pathOrEmpty(pa), pathOrEmpty(pb)) {
				continue
			}
			out = append(out, Problem{
				What:  "Git repository path",
				Value: ra.URL + " " + ra.Branch + ":" + pa,
				Why:   fmt.Sprintf("the paths %q and %q in one repository and branch overlap, so each Flux would apply and prune the other's objects; give each environment its own directory (unset gitops.repository.path derives it from the output)", pa, pb),
				A:     ref(a, GitPathField, "the output directory"),
				B:     ref(b, GitPathField, "the output directory"),
			})
		}
	}
	return out
}

// pathOrEmpty maps the repository root to "", which nests with everything.
func pathOrEmpty(p string) string {
	if p == "." {
		return ""
	}
	return p
}

// normalizeURL compares repository URLs without the differences that do
// not change the repository: a trailing ".git" or "/", and case in the host.
func normalizeURL(u string) string {
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		host, p, _ := strings.Cut(rest, "/")
		return scheme + "://" + strings.ToLower(host) + "/" + p
	}
	return u
}

// checkOutputs: output directories must not be equal or nest, or one
// environment's write would delete the other's files.
func checkOutputs(envs []*Env) []Problem {
	var out []Problem
	abs := make([]string, len(envs))
	for i, e := range envs {
		a, err := filepath.Abs(e.Output)
		if err != nil {
			a = e.Output
		}
		abs[i] = filepath.ToSlash(a)
	}
	for i, a := range envs {
		for j := i + 1; j < len(envs); j++ {
			if !nests(abs[i], abs[j]) {
				continue
			}
			out = append(out, Problem{
				What:  "output directory",
				Value: envs[j].Output,
				Why:   "output directories must not be the same or nest, or one environment's render would remove the other's files; give each its own directory",
				A:     Ref{Env: a.Name, Field: "output", Pos: a.OutputPos},
				B:     Ref{Env: envs[j].Name, Field: "output", Pos: envs[j].OutputPos},
			})
		}
	}
	return out
}

// Sorted returns problems ordered by the first environment, then the
// second, then the kind, so reports read environment by environment.
func Sorted(ps []Problem) []Problem {
	out := append([]Problem(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].A.Env != out[j].A.Env {
			return out[i].A.Env < out[j].A.Env
		}
		return out[i].B.Env < out[j].B.Env
	})
	return out
}
