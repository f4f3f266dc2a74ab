package apply

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/utils"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// prune deletes the stale inventory entries, in reverse apply order. It
// returns a Change per entry and the ids to keep in the inventory (those
// whose deletion failed). An object is deleted only when milvusgen still
// manages some of its fields; Namespaces and CRDs are never deleted.
func (m *Manager) prune(ctx context.Context, old inventory, stale []string, dryRun bool) (changes []Change, keep []string) {
	var objs []Object
	ids := map[string]string{}
	for _, id := range stale {
		u, err := old.object(id)
		if err != nil {
			continue // unreadable entry: drop it
		}
		o := Object{Object: u}
		ids[o.Subject()] = id
		objs = append(objs, o)
	}
	st := stages(objs)
	var order []Object
	for s := len(st) - 1; s >= 0; s-- {
		for i := len(st[s]) - 1; i >= 0; i-- {
			order = append(order, st[s][i])
		}
	}
	for _, o := range order {
		c := Change{Subject: o.Subject()}
		switch {
		case utils.IsNamespace(o.Object), utils.IsCRD(o.Object):
			c.Action = Skipped
			c.Note = fmt.Sprintf("no longer rendered, but a %s is never pruned (deleting it deletes everything in it); delete it by hand", o.Object.GetKind())
			changes = append(changes, c)
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(o.Object.GroupVersionKind())
		err := m.client.Get(ctx, client.ObjectKeyFromObject(o.Object), live)
		switch {
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
			c.Action, c.Note = Deleted, "already gone"
		case err != nil:
			c.Action, c.Err = Failed, &ObjectError{Subject: c.Subject, Err: fmt.Errorf("prune failed: %w", rootCause(err))}
			keep = append(keep, ids[c.Subject])
		case !managedBy(live, FieldManager):
			c.Action = Skipped
			c.Note = "no longer rendered, but no longer managed by milvusgen either (another field manager took it over); left in place"
		case dryRun:
			c.Action = Deleted
		default:
			if _, err := m.rm.Delete(ctx, o.Object, ssa.DefaultDeleteOptions()); err != nil {
				c.Action, c.Err = Failed, &ObjectError{Subject: c.Subject, Err: fmt.Errorf("prune failed: %w", rootCause(err))}
				keep = append(keep, ids[c.Subject])
			} else {
				c.Action = Deleted
			}
		}
		changes = append(changes, c)
	}
	return changes, keep
}

func managedBy(u *unstructured.Unstructured, manager string) bool {
	for _, f := range u.GetManagedFields() {
		if f.Manager == manager {
			return true
		}
	}
	return false
}
