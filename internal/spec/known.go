package spec

import "github.com/milvusgen/milvusgen/internal/versions"

// ChartVersion is a chart version milvusgen knows, with the version of the
// application it installs.
type ChartVersion struct {
	Chart, App string
}

// KnownCharts lists, sorted, the Milvus chart versions (with their Milvus
// version) and the AWS Load Balancer Controller chart versions (with the
// controller version) of the schema's #Compatibility table.
func KnownCharts() (milvus, lbController []ChartVersion) {
	c := compat()
	for _, v := range versions.Charts() {
		milvus = append(milvus, ChartVersion{v.Version, v.Milvus})
	}
	for _, v := range knownCharts(c.LBControllerCharts) {
		lbController = append(lbController, ChartVersion{v, c.LBControllerCharts[v].AppVersion})
	}
	return milvus, lbController
}
