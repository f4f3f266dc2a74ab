# stub.bash stands in for aws, eksctl, kubectl and flux when the tests run
# the rendered scripts. It is installed under each name; it logs every call
# to $STUB_LOG and keeps the AWS and cluster state as files in $STUB_STATE,
# so "get" calls answer by what "create" calls did. Shell builtins only.
name="${0##*/}"
printf '%s %s\n' "$name" "$*" >>"$STUB_LOG"
st="$STUB_STATE"
has() { [ -e "$st/$1" ]; }
mk() { : >"$st/$1"; }
versions() { if has versions; then read -r n <"$st/versions"; echo "$n"; else echo 0; fi; }
if [ -n "${STUB_HANG:-}" ] && [[ "$name $*" == *"$STUB_HANG"* ]]; then
  echo "error: timed out waiting for the condition" >&2
  exit 1
fi
case "$name $*" in
"aws sts get-caller-identity"*) echo "$STUB_ACCOUNT" ;;
"aws s3api head-bucket"*) has bucket ;;
"aws s3api create-bucket"*) mk bucket ;;
"aws s3api get-bucket-lifecycle-configuration"*)
  if has lifecycle-other; then echo 0
  elif has lifecycle; then echo 1
  else
    echo "An error occurred (NoSuchLifecycleConfiguration)" >&2
    exit 254
  fi ;;
"aws s3api put-bucket-lifecycle-configuration"*) mk lifecycle ;;
"aws s3api get-bucket-tagging"*)
  if has bucket-tags; then read -r v <"$st/bucket-tags"; echo "$v"
  else
    echo "An error occurred (NoSuchTagSet)" >&2
    exit 254
  fi ;;
"aws s3api put-bucket-tagging"*)
  s="$*" n=0
  while [[ $s == *'"Key"'* ]]; do s="${s#*\"Key\"}"; n=$((n + 1)); done
  echo "$n" >"$st/bucket-tags" ;;
"aws eks list-pod-identity-associations"*) if has associations; then read -r v <"$st/associations"; echo "$v"; else echo 0; fi ;;
"aws s3api delete-bucket"*)
  if has objects; then
    echo "An error occurred (BucketNotEmpty) when calling the DeleteBucket operation" >&2
    exit 254
  fi
  rm -f "$st/bucket" "$st/lifecycle" ;;
"aws iam get-policy"*"--query Policy.DefaultVersionId"*) echo "v$(versions)" ;;
"aws iam get-policy"*) has policy ;;
"aws iam create-policy "*) mk policy; echo 1 >"$st/versions"; all="$*"; printf '%s\n' "${all##*,Value=}" >"$st/tag" ;;
"aws iam create-policy-version"*)
  echo $(($(versions) + 1)) >"$st/versions"
  echo "v$(versions)" ;;
"aws iam list-policy-tags"*) if has tag; then read -r v <"$st/tag"; echo "$v"; else echo None; fi ;;
"aws iam tag-policy"*'[{"Key"'*) ;; # the spec's tags, not the document tag
"aws iam tag-policy"*) all="$*"; printf '%s\n' "${all##*,Value=}" >"$st/tag" ;;
"aws iam delete-policy-version"*) echo $(($(versions) - 1)) >"$st/versions" ;;
"aws iam delete-policy "*)
  if [ "$(versions)" != 1 ]; then
    echo "DeleteConflict: delete the non-default versions first" >&2
    exit 254
  fi
  rm -f "$st/policy" "$st/versions" "$st/tag" ;;
"aws iam list-policy-versions"*"length(Versions)"*) versions ;;
"aws iam list-policy-versions"*"sort_by"*) echo v1 ;;
"aws iam list-policy-versions"*)
  n="$(versions)"
  out=""
  while [ "$n" -gt 1 ]; do out="$out v$n"; n=$((n - 1)); done
  echo "${out# }" ;;
"eksctl get cluster"*) has cluster ;;
"eksctl create cluster"*) mk cluster ;;
"eksctl delete cluster"*) rm "$st/cluster" "$st/flux" "$st/secret" "$st/rootsecret" 2>/dev/null || true ;;
"flux version --client"*) echo "flux: ${STUB_FLUX_VERSION:-v2.9.5}" ;;
"flux install"*) mk flux ;;
"kubectl get namespace flux-system -o jsonpath"*) echo "${STUB_FLUX_SERVER_VERSION:-}" ;; # flux install's version label
"kubectl get pv"*) if has pvs; then while read -r line; do echo "$line"; done <"$st/pvs"; fi ;;
"kubectl get crd"*) has flux ;;
"kubectl -n flux-system get secret"*) has secret ;;
"kubectl -n "*" get secret milvus-root"*) has rootsecret ;;
"kubectl -n "*" get secret "*" -o go-template="*) # a key of a Secret the user makes: k8s-secret-NAME-KEY
  all="$*" s="${all#* get secret }" name="${s%% *}" key="${s#*index .data \"}" key="${key%%\"*}"
  if has "k8s-secret-$name-$key"; then echo yes; fi ;;
"kubectl -n "*" create secret generic milvus-root "*)
  IFS= read -r password || true
  printf 'stdin root password=%s\n' "$password" >>"$STUB_LOG"
  mk rootsecret ;;
"flux create secret git"*) mk secret ;;
"kubectl "*"create secret generic"*)
  IFS= read -r password || true
  printf 'stdin password=%s\n' "$password" >>"$STUB_LOG"
  mk secret ;;
esac
