package spec

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"cuelang.org/go/cue"

	"github.com/go-git/go-git/v5/plumbing"
	"k8s.io/apimachinery/pkg/util/validation"
	kubeletapis "k8s.io/kubelet/pkg/apis"
)

// gitURLRule accepts the URLs Flux's GitRepository takes, without
// credentials: a password or token in the URL would be written into
// flux/gitrepository.yaml and bootstrap.sh, so it is refused. A user name
// alone (ssh://git@host/...) names the SSH account, not a secret.
func gitURLRule(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || isLineBreak(r) }); i >= 0 {
		return fmt.Sprintf("must be a URL without whitespace or control characters; got %q", s)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ssh") {
		if at := strings.Index(s, "@"); at >= 0 && !strings.Contains(s, "://") {
			if host, path, ok := strings.Cut(s[at+1:], ":"); ok {
				return fmt.Sprintf("Flux needs a URL, not scp syntax: use \"ssh://%s@%s/%s\"", s[:at], host, path)
			}
		}
		return fmt.Sprintf("must be an http://, https:// or ssh:// URL; got %q", redactURL(s))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "?#") {
		return fmt.Sprintf("must not hold a query string or fragment (got %q): a token there (?private_token=…) would be written to flux/gitrepository.yaml and bootstrap.sh; "+
			"let bootstrap.sh read credentials from the environment into the Secret gitops.repository.secretName", redactURL(stripQuery(s)))
	}
	if u.User == nil {
		return ""
	}
	_, hasPassword := u.User.Password()
	if hasPassword || u.Scheme != "ssh" {
		return fmt.Sprintf("must not hold credentials (got %q): they would be written to flux/gitrepository.yaml and bootstrap.sh; "+
			"drop them from the URL and let bootstrap.sh read them from the environment into the Secret gitops.repository.secretName "+
			"(an ssh:// URL may name the SSH user, as in ssh://git@github.com/acme/fleet.git)", redactURL(s))
	}
	return ""
}

// stripQuery drops a URL's query string and fragment, so the message that
// refuses them does not print a token.
func stripQuery(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i] + "?…"
	}
	return s
}

// redactURL hides the user information of a URL, so the message that
// refuses a token does not print it.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return scheme + "://***@" + rest[at+1:]
	}
	return s
}

// gitBranchRule applies git's ref-format rules to refs/heads/<branch>
// (go-git's ReferenceName.Validate implements git check-ref-format), and
// what `git check-ref-format --branch` adds: no leading '-', not HEAD.
func gitBranchRule(s string) string {
	const allowed = "must be a Git branch name (git check-ref-format --branch: no leading '-' or '.', no \"..\", \"//\", \"@{\", trailing '.', '/' or \".lock\", no spaces, control characters or ~^:?*[\\)"
	switch {
	case s == "":
		return allowed + "; got \"\""
	case s == "HEAD":
		return "must be a branch name; HEAD is the name of the current checkout, not a branch"
	case strings.HasPrefix(s, "-"):
		return fmt.Sprintf("%s; got %q", allowed, s)
	}
	if err := plumbing.NewBranchReferenceName(s).Validate(); err != nil {
		return fmt.Sprintf("%s; got %q", allowed, s)
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || isLineBreak(r) {
			return fmt.Sprintf("%s; got %q", allowed, s)
		}
	}
	return ""
}

// checkLabels applies eksctl's validateLabels to one node group's labels:
// Kubernetes' qualified-name rule for keys (at most one '/'), its label
// value rule, and no kubernetes.io/ or k8s.io/ prefix other than the
// kubelet's own labels. Each bad label gets its own positioned message.
func checkLabels(r *report, path string, labels map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		p := path + "." + k
		if strings.Contains(k, ".") {
			p = path // the key cannot be a path element; point at the map
		}
		if r.paths[p] {
			continue // one problem, one message (control characters)
		}
		v := labels[k]
		if errs := validation.IsQualifiedName(k); len(errs) > 0 || strings.Count(k, "/") > 1 {
			if len(errs) == 0 {
				errs = []string{"at most one '/' may separate the prefix from the name"}
			}
			r.errorf(p, "label key %q is not a valid Kubernetes label key: %s", k, strings.Join(errs, "; "))
			continue
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			r.errorf(p, "label %q has an invalid value %q: %s", k, clip(v, 80), strings.Join(errs, "; "))
			continue
		}
		if prefix, _, ok := strings.Cut(k, "/"); ok && isKubernetesDomain(prefix) && !kubeletapis.IsKubeletLabel(k) {
			r.errorf(p, "labels under kubernetes.io/ or k8s.io/ are reserved for Kubernetes (eksctl refuses %q); use your own prefix", k)
		}
	}
}

func isKubernetesDomain(prefix string) bool {
	for _, d := range []string{"kubernetes.io", "k8s.io"} {
		if prefix == d || strings.HasSuffix(prefix, "."+d) {
			return true
		}
	}
	return false
}

// clip shortens long values in messages (a 1 MB label value).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// checkUserLabels applies checkLabels to the labels the user wrote, before
// the schema's (less helpful) label patterns see them.
func checkUserLabels(r *report, user cue.Value) {
	groups, err := user.LookupPath(cue.ParsePath("cluster.nodeGroups")).List()
	if err != nil {
		return
	}
	for i := 0; groups.Next(); i++ {
		it, err := groups.Value().LookupPath(cue.ParsePath("labels")).Fields()
		if err != nil {
			continue
		}
		labels := map[string]string{}
		for it.Next() {
			if !it.Selector().IsString() {
				continue
			}
			if v, err := it.Value().String(); err == nil {
				labels[it.Selector().Unquoted()] = v
			}
		}
		checkLabels(r, fmt.Sprintf("cluster.nodeGroups.%d.labels", i), labels)
	}
}

// isLineBreak reports the characters YAML or Unicode treat as line breaks
// beyond the C0 controls: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
func isLineBreak(r rune) bool { return r == 0x85 || r == 0x2028 || r == 0x2029 }

// checkControl refuses control and line-break characters in every string
// and key the user wrote: YAML folds some of them (NEL becomes a line
// break or a space) while JSON keeps them, so the artifacts would disagree
// (a rootPath with U+0085 is one prefix in the IAM policy and another in
// Milvus's values). Raw values and config may hold multi-line text: only
// there are newline and tab allowed, which every writer keeps.
func checkControl(r *report, v cue.Value, path []string) {
	raw := len(path) >= 2 && path[0] == "milvus" && (path[1] == "values" || path[1] == "config")
	bad := func(s string) bool {
		return strings.ContainsFunc(s, func(c rune) bool {
			if raw && (c == '\n' || c == '\t') {
				return false
			}
			return unicode.IsControl(c) || isLineBreak(c)
		})
	}
	switch v.IncompleteKind() {
	case cue.StringKind:
		if s, err := v.String(); err == nil && bad(s) {
			r.errorf(strings.Join(path, "."), "must not contain control or line-break characters (such as tab, vertical tab, carriage return, U+0085); they are lost or changed in the rendered YAML; got %q", clip(s, 80))
		}
	case cue.StructKind:
		it, err := v.Fields()
		if err != nil {
			return
		}
		for it.Next() {
			if !it.Selector().IsString() {
				continue
			}
			k := it.Selector().Unquoted()
			if bad(k) {
				r.errorf(strings.Join(path, "."), "key %q must not contain control or line-break characters", clip(k, 80))
				continue
			}
			checkControl(r, it.Value(), append(slices.Clip(path), k))
		}
	case cue.ListKind:
		it, err := v.List()
		if err != nil {
			return
		}
		for i := 0; it.Next(); i++ {
			checkControl(r, it.Value(), append(slices.Clip(path), strconv.Itoa(i)))
		}
	}
}
