// Package versions is the Milvus half of the schema's #Compatibility
// table: the chart versions milvusgen renders, the Milvus version, the
// components, message queues and etcd subchart of each, and the upgrade
// rules between Milvus versions (stepping stones, fixed message queue, no
// downgrade). validate, diff, upgrade plan and the values builder read it;
// nothing else hard-codes a Milvus version.
//
// The table is data in schema/spec.cue; the tests check every entry
// against the chart archives in ../shared/charts and
// ../shared/charts-previous.
package versions
