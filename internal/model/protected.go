package model

// ProtectedObject is an object no GitOps engine may delete: losing it
// loses data (the Milvus namespace holds etcd's volume claims, and S3 data
// without etcd's metadata cannot be attached to a new cluster).
type ProtectedObject struct {
	APIVersion, Kind, Namespace, Name string
	// Rendered reports whether the object is in the rendered tree (the
	// Namespace) or created by a chart at run time (etcd's claims from a
	// StatefulSet's volumeClaimTemplates), where no GitOps engine tracks it.
	Rendered bool
}

// ProtectedObjects lists the objects no GitOps engine may prune or delete.
//
// TODO(argocd): issue 10 makes one exported list of protected objects for
// every engine (the ha helper's); switch to it when it lands.
func (s *Spec) ProtectedObjects() []ProtectedObject {
	return []ProtectedObject{
		{APIVersion: "v1", Kind: "Namespace", Name: s.Milvus.Namespace, Rendered: true},
	}
}
