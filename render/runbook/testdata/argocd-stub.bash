# argocd-stub.bash answers the Argo CD calls of the argocd scripts before
# stub.bash (appended after it) answers the rest. Calls handled here are
# logged here and exit; the others fall through.
argo_name="${0##*/}"
argo_st="$STUB_STATE"
argo_log() { printf '%s %s\n' "$argo_name" "$*" >>"$STUB_LOG"; }
case "$argo_name $*" in
"mktemp -d"*) argo_log "$@"; echo "$HOME"; exit 0 ;; # a fresh directory per run
"sleep "*) exit 0 ;;
"kubectl apply --server-side --force-conflicts -k "*)
  argo_log "$@"
  while IFS= read -r line; do printf '%s\n' "$line"; done <"${*: -1}/kustomization.yaml" >"$argo_st/install-kustomization"
  : >"$argo_st/argocd"; exit 0 ;;
"kubectl -n argocd get deployment argocd-server -o jsonpath"*) argo_log "$@"; echo "${STUB_ARGOCD_IMAGE:-}"; exit 0 ;;
"kubectl -n argocd get configmap argocd-cm -o jsonpath"*) argo_log "$@"; echo "${STUB_ARGOCD_HEALTH:-}"; exit 0 ;;
"kubectl get crd applications.argoproj.io"*) argo_log "$@"; [ -e "$argo_st/argocd" ]; exit ;;
"kubectl get namespace argocd"*) argo_log "$@"; [ -e "$argo_st/argocd-ns" ]; exit ;;
"kubectl create namespace argocd"*) argo_log "$@"; : >"$argo_st/argocd-ns"; exit 0 ;;
"kubectl -n argocd get secret "*) argo_log "$@"; [ -e "$argo_st/gitsecret" ]; exit ;;
"kubectl -n argocd create secret generic "*)
  argo_log "$@"
  case "$*" in *password=/dev/stdin*) IFS= read -r password || true; printf 'stdin password=%s\n' "$password" >>"$STUB_LOG" ;; esac
  : >"$argo_st/gitsecret"; exit 0 ;;
"kubectl -n argocd get application "*)
  argo_log "$@"
  if [ -e "$argo_st/unhealthy" ]; then echo "Progressing Synced"; else echo "Healthy Synced"; fi
  exit 0 ;;
"kubectl apply --server-side -k "*) argo_log "$@"; : >"$argo_st/applied"; exit 0 ;;
"kubectl -n argocd delete application milvus-demo "*) argo_log "$@"; rm -f "$argo_st/applied"; exit 0 ;;
"kubectl -n argocd delete application aws-load-balancer-controller "*) argo_log "$@"; rm -f "$argo_st/argocd-ns"; exit 0 ;;
"kubectl -n milvus get services"*)
  argo_log "$@"
  if [ -e "$argo_st/applied" ] || [ -e "$argo_st/lb-stuck" ]; then echo milvus-demo; fi
  exit 0 ;;
"kubectl -n milvus delete service "*)
  argo_log "$@"
  if [ -e "$argo_st/lb-stuck" ]; then echo "timed out waiting for the condition" >&2; exit 1; fi
  rm -f "$argo_st/applied"; exit 0 ;;
"kubectl delete namespace milvus"*) argo_log "$@"; rm -f "$argo_st/pvs"; exit 0 ;;
"eksctl delete cluster"*) rm -rf "$argo_st/argocd" "$argo_st/gitsecret" "$argo_st/argocd-ns" "$argo_st/install-kustomization" "$argo_st/applied" "$argo_st/rootsecret" ;;
esac
