// Package sizing turns a spec's dataset into the resources Milvus needs and
// checks that the spec's node groups can hold them.
//
// The formulas and tables are the Milvus sizing tool's for Milvus 2.6
// (milvus-io/milvus.io src/utils/sizingTool.ts, summarised in
// ../shared/reference/milvus-chart-and-clouds.md §4): Measure is its
// memoryAndDiskCalculator, NewPlan its clusterNodesConfigCalculator and
// streamNodeConfigCalculator, and the etcd and message-queue footprints its
// dependencyCalculator. Sizes in GiB ("GB" in the tool, which divides by
// 1024³) are compared exactly as the tool compares them.
//
// On top of the tool, the package knows the EC2 instance types milvusgen
// supports and what Kubernetes can schedule on them (Instance.Allocatable),
// so Fit can say whether the node groups hold every pod of the deployment,
// and Apply writes the computed resources into the spec for rendering.
//
// Everything here is pure: no clock, disk, network or global state.
package sizing
