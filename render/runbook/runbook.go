package runbook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/eksctl"
	"github.com/milvusgen/milvusgen/render/iam"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Output paths, relative to the output root.
const (
	// Dir is where the scripts and the AWS files they use live.
	Dir = "aws"
	// BootstrapFile creates everything.
	BootstrapFile = Dir + "/bootstrap.sh"
	// TeardownFile deletes everything but a non-empty bucket.
	TeardownFile = Dir + "/teardown.sh"
)

// Kustomization roots of the rendered tree, relative to Dir, where the
// scripts run.
var (
	infrastructureDir = "../" + kustomize.InfrastructureDir
	appsDir           = "../" + kustomize.AppsDir
	fluxDir           = "../" + kustomize.FluxDir
)

// treeDirs name the kustomization roots the scripts apply and delete
// directly when the spec has no Git repository.
func treeDirs() []variable {
	return []variable{{"INFRASTRUCTURE_DIR", infrastructureDir}, {"APPS_DIR", appsDir}}
}

// Render returns bootstrap.sh, converge.sh and teardown.sh for s, all mode
// 0755.
func Render(s *model.Spec) ([]manifest.File, error) {
	for _, p := range []string{eksctl.File, iam.ReadWriteFile} {
		if !strings.HasPrefix(p, Dir+"/") {
			return nil, fmt.Errorf("%s: the scripts expect it under %s/", p, Dir)
		}
	}
	docs, err := policyDigests(s)
	if err != nil {
		return nil, err
	}
	bootstrap, teardown := buildBootstrap, buildTeardown
	if s.UsesArgoCD() {
		bootstrap, teardown = buildArgoCDBootstrap, buildArgoCDTeardown
	}
	converge, err := buildConverge(s, docs)
	if err != nil {
		return nil, err
	}
	b, t := bootstrap(s), teardown(s)
	if s.UsesArgoCDHub() {
		if b, err = buildHubBootstrap(s); err != nil {
			return nil, err
		}
		if t, err = buildHubTeardown(s); err != nil {
			return nil, err
		}
	}
	return []manifest.File{
		manifest.Script(BootstrapFile, b),
		manifest.Script(ConvergeFile, converge),
		manifest.Script(TeardownFile, t),
	}, nil
}

// policyDigests returns the SHA-256 of each IAM policy document iam.Render
// writes, by path: bootstrap.sh tags the policy with it.
func policyDigests(s *model.Spec) (map[string]string, error) {
	files, err := iam.Render(s)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		docs[f.Path] = hex.EncodeToString(sum[:])
	}
	return docs, nil
}

// rel is p (an output path under Dir) relative to Dir, where the scripts
// run.
func rel(p string) string { return strings.TrimPrefix(p, Dir+"/") }

// quote returns s as one single-quoted shell word; a single quote inside
// becomes '\”. Values come from a validated spec, but a name is never
// trusted to be shell-safe.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// script accumulates shell text.
type script struct{ strings.Builder }

// f writes one formatted line.
func (w *script) f(format string, args ...any) {
	fmt.Fprintf(w, format, args...)
	w.WriteByte('\n')
}

// raw writes text as is; it must end with a newline.
func (w *script) raw(text string) { w.WriteString(text) }

// assign writes NAME='value'.
func (w *script) assign(name, value string) { w.f("%s=%s", name, quote(value)) }

// variable is one NAME='value' line of a script.
type variable struct{ name, value string }

// vars writes the variables at the top of converge.sh and teardown.sh:
// the spec's names both use, then names, then the ClusterConfig and the
// other rendered files and directories the script reads.
func vars(w *script, s *model.Spec, names, files []variable) {
	writeVars(w, append([]variable{
		{"REGION", s.AWS.Region},
		{"ACCOUNT_ID", s.AWS.AccountID},
		{"CLUSTER", s.Cluster.Name},
		{"BUCKET", s.Storage.Bucket},
		{"POLICY_NAME", s.Storage.PolicyName},
		{"POLICY_ARN", s.PolicyARN()},
	}, append(append(append(kmsVars(s), backupVars(s)...), endpointVars(s)...), names...)...),
		append([]variable{{"CLUSTER_CONFIG", rel(eksctl.File)}}, files...))
}

// bootstrapVars is vars for bootstrap.sh, which leaves the bucket and the
// policies to converge.sh.
func bootstrapVars(w *script, s *model.Spec, names, files []variable) {
	writeVars(w, append([]variable{
		{"REGION", s.AWS.Region},
		{"ACCOUNT_ID", s.AWS.AccountID},
		{"CLUSTER", s.Cluster.Name},
		{"MILVUS_NAMESPACE", s.Milvus.Namespace},
	}, names...), files)
}

func writeVars(w *script, names, files []variable) {
	w.raw("# The spec's names. Change the spec and render again rather than editing these.\n")
	for _, v := range names {
		w.assign(v.name, v.value)
	}
	if len(files) == 0 {
		return
	}
	w.raw("\n# Rendered files and directories, relative to this one.\n")
	for _, v := range files {
		w.assign(v.name, v.value)
	}
}

// endpointVars name the S3 gateway endpoint's service, when converge.sh
// creates one (and teardown.sh deletes it).
func endpointVars(s *model.Spec) []variable {
	if !S3GatewayEndpoint(s) {
		return nil
	}
	return []variable{{"S3_SERVICE", s3Service(s)}}
}

// kmsVars name the EBS CSI driver's KMS policy, when the spec has a key.
func kmsVars(s *model.Spec) []variable {
	if !s.UsesKMSKey() {
		return nil
	}
	return []variable{{"KMS_POLICY_NAME", s.KMSPolicyName()}, {"KMS_POLICY_ARN", s.KMSPolicyARN()}}
}

// backupVars name milvus-backup's policy, with a backup section.
func backupVars(s *model.Spec) []variable {
	if s.Backup == nil {
		return nil
	}
	return []variable{{"BACKUP_POLICY_NAME", s.Backup.PolicyName}, {"BACKUP_POLICY_ARN", s.BackupPolicyARN()}}
}

// comment makes s safe inside a shell comment: a spec value with a line
// break must not end the comment and become a command.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// preamble writes the helpers both scripts share: need, step, and the
// account check that keeps them from touching another account.
func preamble(w *script, name string) {
	w.f(`
need() {
  local missing=0 c
  for c in "$@"; do
    if ! command -v "$c" >/dev/null 2>&1; then
      echo "%[1]s: $c is required but was not found in PATH" >&2
      missing=1
    fi
  done
  [ "$missing" = 0 ] || exit 1
}

step() { printf '\n==> %%s\n' "$*"; }

# Work only in the spec's account, whatever profile the AWS CLI picked.
check_account() {
  local account
  account="$(aws sts get-caller-identity --query Account --output text)"
  if [ "$account" != "$ACCOUNT_ID" ]; then
    echo "%[1]s: the AWS CLI uses account $account but the spec names $ACCOUNT_ID" >&2
    exit 1
  fi
}`, name)
}
