package main

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/render"
)

// diffHub is diff --fleet's part for a hub tree: the tree itself, and the
// Applications its ApplicationSets generate for each registered
// environment, before and after (fleet.ExpandHub), so a change to an
// ApplicationSet shows per cluster, with the risk flags of Applications.
func (e *env) diffHub(p *fleet.Plan, oldTrees map[string][]render.File,
	readOld func(name, dir string) ([]render.File, error)) ([]diff.EnvReport, error) {
	oldHub, err := readOld("hub tree", p.Hub.Output)
	if err != nil {
		return nil, fmt.Errorf("hub tree: %w", err)
	}
	oldC, newC := map[string]fleet.HubCluster{}, map[string]fleet.HubCluster{}
	for _, env := range p.Envs {
		if env.Result == nil || !env.Result.Spec.UsesArgoCDHub() {
			continue
		}
		oldC[env.Name] = fleet.HubCluster{Spec: env.Result.Spec, Files: oldTrees[env.Name]}
		newC[env.Name] = fleet.HubCluster{Spec: env.Result.Spec, Files: env.Files}
	}
	oldApps, err := fleet.ExpandHub(oldHub, oldC)
	if err != nil {
		return nil, fmt.Errorf("expanding the hub tree's ApplicationSets as they were: %w", err)
	}
	newApps, err := fleet.ExpandHub(p.Hub.Files, newC)
	if err != nil {
		return nil, fmt.Errorf("expanding the hub tree's ApplicationSets: %w", err)
	}
	return []diff.EnvReport{
		{Env: "hub", Report: diff.Compare(oldHub, p.Hub.Files)},
		{Env: "hub: Applications per cluster", Report: diff.Compare(oldApps, newApps)},
	}, nil
}
