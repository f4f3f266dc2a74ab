package main

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// diffHub is diff --fleet's part for a hub tree: the tree itself, and the
// Applications its ApplicationSets generate for each registered
// environment, before and after (argocd.ExpandHub), so a change to an
// ApplicationSet shows per cluster, with the risk flags of Applications.
func (e *env) diffHub(p *fleet.Plan, oldTrees map[string][]render.File,
	readOld func(name, dir string) ([]render.File, error)) ([]diff.EnvReport, error) {
	oldHub, err := readOld("hub tree", p.Hub.Output)
	if err != nil {
		return nil, fmt.Errorf("hub tree: %w", err)
	}
	oldC, newC := map[string]argocd.HubCluster{}, map[string]argocd.HubCluster{}
	for _, env := range p.Envs {
		if env.Result == nil || !env.Result.Spec.UsesArgoCDHub() {
			continue
		}
		oldC[env.Name] = argocd.HubCluster{Spec: env.Result.Spec, Files: oldTrees[env.Name]}
		newC[env.Name] = argocd.HubCluster{Spec: env.Result.Spec, Files: env.Files}
	}
	oldApps, err := argocd.ExpandHub(oldHub, oldC)
	if err != nil {
		return nil, fmt.Errorf("expanding the hub tree's ApplicationSets as they were: %w", err)
	}
	newApps, err := argocd.ExpandHub(p.Hub.Files, newC)
	if err != nil {
		return nil, fmt.Errorf("expanding the hub tree's ApplicationSets: %w", err)
	}
	return []diff.EnvReport{
		{Env: "hub", Report: diff.Compare(oldHub, p.Hub.Files)},
		{Env: "hub: Applications per cluster", Report: diff.Compare(oldApps, newApps)},
	}, nil
}
