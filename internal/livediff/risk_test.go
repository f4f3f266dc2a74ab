package livediff

import "testing"

func TestRisk(t *testing.T) {
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Op: Prune, Subject: "PersistentVolumeClaim/milvus/data-etcd-0"}, "data: pruning it deletes or orphans volumes"},
		{Entry{Op: Prune, Subject: "StatefulSet/milvus/milvus-etcd"}, "data: pruning it deletes or orphans volumes"},
		{Entry{Op: Prune, Subject: "Service/milvus/milvus"}, "network: pruning it deletes its load balancer"},
		{Entry{Op: Prune, Subject: "ConfigMap/milvus/x"}, ""},
		{Entry{Op: Drift, Subject: "Deployment/milvus/milvus-proxy", Fields: []Field{{Path: `.spec.template.spec.containers[name="proxy"].image`}}}, "availability: applying it rolls the pods"},
		{Entry{Op: Drift, Subject: "Deployment/milvus/milvus-proxy", Fields: []Field{{Path: ".spec.replicas", Live: "2", Tree: "1"}}}, "availability: applying it leaves one replica"},
		{Entry{Op: Drift, Subject: "Deployment/milvus/milvus-proxy", Fields: []Field{{Path: ".spec.replicas", Live: "5", Tree: "2"}}}, ""},
		{Entry{Op: Drift, Subject: "Service/milvus/milvus", Fields: []Field{{Path: ".spec.loadBalancerSourceRanges"}}}, "network: applying it changes who reaches the load balancer"},
		{Entry{Op: Create, Subject: "StatefulSet/milvus/milvus-etcd"}, ""},
	} {
		if got := risk(tc.e); got != tc.want {
			t.Errorf("%s %s %v: %q, want %q", tc.e.Op, tc.e.Subject, tc.e.Fields, got, tc.want)
		}
	}
}
