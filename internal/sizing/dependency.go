package sizing

import "github.com/milvusgen/milvusgen/internal/model"

// Dependency is the budget sizing holds for one of the pods besides
// Milvus's own ("kafka", "kafka-zookeeper", "etcd", …), as the fit check
// counts it; render/values requests it, so the scheduler reserves what
// the check counted.
func Dependency(s *model.Spec, name string) (Component, bool) {
	var p *Plan
	if s.Milvus.Dataset != nil {
		if plan, err := NewPlan(*s.Milvus.Dataset); err == nil {
			p = plan
		}
	}
	for _, c := range dependencies(s, p) {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}
