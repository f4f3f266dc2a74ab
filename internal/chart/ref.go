package chart

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// Ref names one pinned chart: the Helm repository it is published in, its
// name and its exact version.
type Ref struct {
	Repository string `json:"repository"`
	Name       string `json:"name"`
	Version    string `json:"version"`
}

// String is name@version, how messages name a chart.
func (r Ref) String() string { return r.Name + "@" + r.Version }

// File is the archive's name in a chart directory, as `helm pull` names it.
func (r Ref) File() string { return fmt.Sprintf("%s-%s.tgz", r.Name, r.Version) }

// Refs are the charts the spec's HelmReleases install, in a fixed order:
// the AWS Load Balancer Controller, then Milvus.
func Refs(s *model.Spec) []Ref {
	return []Ref{
		{Repository: model.LBControllerChartRepo, Name: manifest.LBControllerChart, Version: s.LoadBalancerController.ChartVersion},
		{Repository: model.MilvusChartRepo, Name: manifest.MilvusChart, Version: s.Milvus.ChartVersion},
	}
}
