package spec

import (
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/zones"
)

// haZones is the fewest zones highAvailability accepts: a three-member
// quorum (etcd, Kafka, ZooKeeper) spread over two zones keeps two members
// in one, and that zone's loss takes the quorum with it.
const haZones = 3

// checkZones checks cluster.zones (each a zone of aws.region, each once;
// the schema checks their shape and that there are two or more, eksctl's
// MinRequiredAvailabilityZones) and, in an existing VPC, that they are the
// zones of the subnets the node groups join: eksctl refuses
// availabilityZones beside vpc.subnets, so there the subnets decide and
// cluster.zones may only repeat them.
func checkZones(r *report, s *model.Spec) {
	region := s.AWS.Region
	for i, z := range s.Cluster.Zones {
		at := fmt.Sprintf("cluster.zones.%d", i)
		if rest, ok := strings.CutPrefix(z, region); !ok || len(rest) != 1 {
			r.errorf(at, "zone %s is not in the cluster's region %s; name the region's zones (%sa, %sb, …)", z, region, region, region)
		}
	}
	if s.Cluster.VPC == nil || len(s.Cluster.Zones) == 0 {
		return
	}
	spanned, err := zones.OfSpec(s)
	if err != nil {
		return
	}
	named := slices.Clone(s.Cluster.Zones)
	slices.Sort(named)
	named = slices.Compact(named)
	if !slices.Equal(named, spanned) {
		r.errorf("cluster.zones", "in an existing VPC the cluster's zones are those of its subnets the node groups join (%s), and cluster.zones names %s; name the same zones, or leave cluster.zones out", strings.Join(spanned, ", "), strings.Join(named, ", "))
	}
}

// checkZoneList says what the schema's list constraints on cluster.zones
// mean, in place of CUE's "incompatible list lengths" and "does not
// satisfy list.UniqueItems".
func checkZoneList(r *report, user cue.Value) {
	l := user.LookupPath(cue.ParsePath("cluster.zones"))
	if !l.Exists() || l.IncompleteKind() != cue.ListKind {
		return
	}
	var names []string
	if err := l.Decode(&names); err != nil {
		return // an element's own rule reports it
	}
	if len(names) < 2 {
		r.errorf("cluster.zones", "name at least 2 zones (eksctl's minimum), and 3 for highAvailability; got %d", len(names))
		return
	}
	for i, z := range names {
		if j := slices.Index(names, z); j < i {
			r.errorf("cluster.zones", "zone %s is named twice (items %d and %d); name each zone once", z, j, i)
			return
		}
	}
}

// checkHAZones refuses highAvailability on a cluster of fewer than three
// zones (internal/zones), at the field that sets the zones: cluster.zones,
// the existing VPC's subnets, or, where eksctl picks two (us-east-1),
// cluster.zones to be written.
func checkHAZones(r *report, s *model.Spec) {
	if !s.Milvus.HighAvailability {
		return
	}
	spanned, err := zones.OfSpec(s)
	if err != nil || len(spanned) >= haZones {
		return
	}
	const why = "highAvailability needs the node groups in at least 3 availability zones: etcd's three members (and Kafka's or ZooKeeper's) over %d zones keep two in one zone, and that zone's loss takes the quorum with it"
	region := s.AWS.Region
	example := fmt.Sprintf("[%sa, %sb, %sc]", region, region, region)
	switch v := s.Cluster.VPC; {
	case v != nil:
		kind := "public" // the kind the node groups join, as internal/zones
		if slices.ContainsFunc(s.Cluster.NodeGroups, func(ng model.NodeGroup) bool { return ng.PrivateNetworking }) || len(s.Cluster.NodeGroups) == 0 && len(v.Subnets.Private) > 0 {
			kind = "private"
		}
		r.errorf("cluster.vpc.subnets."+kind, why+"; the node groups' subnets are in %s: add a subnet in a third zone to cluster.vpc.subnets.%s, or set milvus.highAvailability: false", len(spanned), strings.Join(spanned, ", "), kind)
	case len(s.Cluster.Zones) > 0:
		r.errorf("cluster.zones", why+"; name three zones in cluster.zones, e.g. %s, or set milvus.highAvailability: false", len(spanned), example)
	default:
		r.errorf("cluster.zones", why+"; eksctl picks %d zones in %s when the ClusterConfig names none: name three zones in cluster.zones, e.g. %s (check that each offers the node groups' instance types), or set milvus.highAvailability: false", len(spanned), len(spanned), region, example)
	}
}
