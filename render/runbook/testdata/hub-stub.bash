# hub-stub.bash answers the calls the hub-mode scripts make to the hub
# (kubectl --context <hub>) before argocd-stub.bash and stub.bash. The hub's
# cluster Secret is kept in $STUB_STATE/hub-secret as applied (from stdin),
# its stage label in hub-stage.
hub_name="${0##*/}"
hub_st="$STUB_STATE"
hub_log() { printf '%s %s\n' "$hub_name" "$*" >>"$STUB_LOG"; }
case "$hub_name $*" in
"kubectl --context "*" get appproject "*) hub_log "$@"; [ -e "$hub_st/hub-project" ]; exit ;;
"kubectl --context "*" apply --server-side --field-manager=milvusgen -f -"*)
  hub_log "$@"
  IFS= read -r -d '' doc || true
  printf '%s' "$doc" >"$hub_st/hub-secret"; exit 0 ;;
"kubectl --context "*" label secret "*"milvusgen.io/stage=apps"*) hub_log "$@"; : >"$hub_st/hub-stage"; exit 0 ;;
"kubectl --context "*" label secret "*) hub_log "$@"; rm -f "$hub_st/hub-stage"; exit 0 ;;
"kubectl --context "*" get secret "*) hub_log "$@"; [ -e "$hub_st/hub-secret" ]; exit ;;
"kubectl --context "*" delete secret "*) hub_log "$@"; rm -f "$hub_st/hub-secret"; exit 0 ;;
"kubectl --context "*" get application "*)
  hub_log "$@"
  if [ -e "$hub_st/unhealthy" ]; then echo "Progressing Synced"; else echo "Healthy Synced"; fi
  exit 0 ;;
"kubectl --context "*" delete application "*"-milvus-demo "*) hub_log "$@"; rm -f "$hub_st/applied"; exit 0 ;;
"kubectl --context "*) hub_log "$@"; exit 0 ;;
esac
