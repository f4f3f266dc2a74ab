#!/usr/bin/env bash
# Copies Argo CD's gitops-engine module (github.com/argoproj/argo-cd/gitops-engine)
# from an argo-cd checkout at the tag in ARGOCD_VERSION into
# hack/appset/third_party/gitops-engine: its Go sources (no tests, no mocks),
# go.mod and LICENSE.
#
#   hack/appset/sync-gitops-engine.sh ARGOCD_GIT_DIR
#
# Why a copy: argo-cd's go.mod requires gitops-engine at a pseudo-version and
# replaces it with its own ./gitops-engine folder, a nested module that is not
# part of argo-cd's module zip. The module proxy refuses that pseudo-version
# ("This module version is not available"), so the module is built from this
# copy of the same tag instead (go.mod: replace ... => ./third_party/gitops-engine).
set -euo pipefail
ARGOCD_VERSION=v3.5.1

src="${1:?usage: $0 ARGOCD_GIT_DIR (a clone of github.com/argoproj/argo-cd)}"
here="$(cd "$(dirname "$0")" && pwd)"
dst="$here/third_party/gitops-engine"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

git -C "$src" archive "$ARGOCD_VERSION" gitops-engine | tar -x -C "$tmp"
rm -rf "$dst"
mkdir -p "$dst"
(cd "$tmp/gitops-engine" &&
  cp go.mod LICENSE "$dst/" &&
  find pkg internal -name '*.go' ! -name '*_test.go' ! -path '*/mocks/*' ! -path '*/testdata/*' -print0 |
    xargs -0 cp --parents -t "$dst")
echo "$ARGOCD_VERSION $(git -C "$src" rev-parse "$ARGOCD_VERSION:gitops-engine")" >"$dst/VERSION"
echo "copied gitops-engine of argo-cd $ARGOCD_VERSION into $dst"
