package apply

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	"github.com/fluxcd/pkg/ssa/utils"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ApplyOptions control Apply.
type ApplyOptions struct {
	// DryRun asks the API server what would change (server-side dry run)
	// and changes nothing, the inventory included.
	DryRun bool
	// Prune deletes the objects of the inventory that are no longer among
	// the applied objects.
	Prune bool
	// ForceConflicts takes over fields another field manager owns, instead
	// of failing those objects.
	ForceConflicts bool
	// StageTimeout bounds the wait for CRDs and Namespaces to become
	// established before the objects that need them are applied.
	StageTimeout time.Duration
}

// DefaultApplyOptions returns options that apply for real, without pruning
// or forcing, waiting up to a minute for CRDs and Namespaces.
func DefaultApplyOptions() ApplyOptions {
	return ApplyOptions{StageTimeout: time.Minute}
}

// Apply applies objs in dependency order (see the package doc), then
// prunes when asked, and records the applied objects in the inventory.
// Every object gets a Change, in apply order; objects the API server
// refuses are Failed with an *ObjectError and do not stop the others, so
// check Result.Err. The error return is for failures that concern the
// whole run: an unreachable cluster, an unreadable or unwritable inventory,
// or objs that cannot be applied together.
func (m *Manager) Apply(ctx context.Context, objs []Object, opts ApplyOptions) (*Result, error) {
	if err := checkSet(objs); err != nil {
		return nil, err
	}
	if opts.StageTimeout == 0 {
		opts.StageTimeout = DefaultApplyOptions().StageTimeout
	}
	if err := m.reachable(ctx); err != nil {
		return nil, err
	}
	old, err := m.readInventory(ctx)
	if err != nil {
		return nil, err
	}

	res := &Result{DryRun: opts.DryRun}
	rendered := inventory{}
	for _, o := range objs {
		rendered.add(o.Object)
	}
	next := inventory{}
	pend := pending{namespaces: map[string]bool{}, kinds: map[schema.GroupKind]bool{}}
	for i, stage := range stages(objs) {
		var defs []Change
		for _, o := range stage {
			c := m.applyOne(ctx, o, opts, pend)
			if c.Action != Failed || old.has(o.Object) {
				// A failed object that milvusgen applied before is still
				// milvusgen's: keep it in the inventory.
				next.add(o.Object)
			}
			if opts.DryRun && c.Action == Created {
				pend.note(o.Object)
			}
			res.Changes = append(res.Changes, c)
			if i == 0 && c.Action != Failed {
				defs = append(defs, c)
			}
		}
		if i == 0 && !opts.DryRun && len(defs) > 0 {
			m.waitEstablished(ctx, stage, res, opts.StageTimeout)
		}
	}

	var stale []string
	for _, id := range old.ids() {
		if _, ok := rendered[id]; !ok {
			stale = append(stale, id)
		}
	}
	if opts.Prune {
		changes, keep := m.prune(ctx, old, stale, opts.DryRun)
		res.Changes = append(res.Changes, changes...)
		for _, id := range keep {
			next[id] = old[id]
		}
	} else {
		for _, id := range stale {
			next[id] = old[id]
			if u, err := old.object(id); err == nil {
				res.Stale = append(res.Stale, utils.FmtUnstructured(u))
			}
		}
	}
	if !opts.DryRun {
		if err := m.writeInventory(ctx, next); err != nil {
			return res, err
		}
	}
	return res, nil
}

// checkSet rejects objects that cannot be applied as one set.
func checkSet(objs []Object) error {
	seen := map[string]string{}
	var errs []error
	for _, o := range objs {
		if o.Object == nil || !utils.IsKubernetesObject(o.Object) {
			errs = append(errs, fmt.Errorf("%s: an object without apiVersion, kind or name", o.File))
			continue
		}
		id := object.UnstructuredToObjMetadata(o.Object).String()
		if prev, dup := seen[id]; dup {
			errs = append(errs, fmt.Errorf("%s is in the set twice (%s and %s)", o.Subject(), prev, o.File))
		}
		seen[id] = o.File
	}
	return errors.Join(errs...)
}

// stages splits objs as ssa's ApplyAllStaged does: cluster definitions
// (CRDs, Namespaces, ClusterRoles), then *Class objects, then the rest;
// each sorted in ssa's reconcile order.
func stages(objs []Object) [3][]Object {
	var st [3][]Object
	for _, o := range objs {
		switch {
		case utils.IsClusterDefinition(o.Object):
			st[0] = append(st[0], o)
		case utils.IsClassDefinition(o.Object):
			st[1] = append(st[1], o)
		default:
			st[2] = append(st[2], o)
		}
	}
	for _, s := range st {
		sortObjects(s)
	}
	return st
}

func sortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a := object.UnstructuredToObjMetadata(objs[i].Object)
		b := object.UnstructuredToObjMetadata(objs[j].Object)
		if !ssa.Equals(a.GroupKind, b.GroupKind) {
			return ssa.IsLessThan(a.GroupKind, b.GroupKind)
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}

// pending holds, during a dry run, the namespaces and CRD kinds the same
// run would create: objects that need them cannot be dry-run yet.
type pending struct {
	namespaces map[string]bool
	kinds      map[schema.GroupKind]bool
}

func (p pending) note(u *unstructured.Unstructured) {
	switch {
	case utils.IsNamespace(u):
		p.namespaces[u.GetName()] = true
	case utils.IsCRD(u):
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		p.kinds[schema.GroupKind{Group: group, Kind: kind}] = true
	}
}

// covers reports why a dry-run failure of u is expected: it needs a
// namespace or CRD that this run creates first.
func (p pending) covers(u *unstructured.Unstructured, err error) (string, bool) {
	if ns := u.GetNamespace(); ns != "" && p.namespaces[ns] && apierrors.IsNotFound(err) {
		return fmt.Sprintf("namespace %s is created by this apply; not validated by the dry run", ns), true
	}
	if gk := u.GroupVersionKind().GroupKind(); p.kinds[gk] && meta.IsNoMatchError(err) {
		return fmt.Sprintf("the CRD of %s is created by this apply; not validated by the dry run", gk.Kind), true
	}
	return "", false
}

// applyOne applies (or dry-runs) one object and says what happened.
func (m *Manager) applyOne(ctx context.Context, o Object, opts ApplyOptions, pend pending) Change {
	c := Change{Subject: o.Subject(), File: o.File}
	fail := func(err error) Change {
		err = rootCause(err)
		if opts.DryRun {
			if note, ok := pend.covers(o.Object, err); ok {
				c.Action, c.Note = Created, note
				return c
			}
		}
		c.Action, c.Err = Failed, &ObjectError{Subject: c.Subject, File: c.File, Err: err}
		return c
	}
	u := o.Object.DeepCopy()
	if !opts.ForceConflicts {
		// ssa always forces ownership; ask the server without force first
		// so that fields another manager owns are reported, not taken.
		probe := u.DeepCopy()
		if err := m.client.Patch(ctx, probe, client.Apply, client.DryRunAll, client.FieldOwner(FieldManager)); err != nil {
			return fail(err)
		}
	}
	if opts.DryRun {
		entry, live, merged, err := m.rm.Diff(ctx, u, ssa.DefaultDiffOptions())
		if err != nil {
			return fail(err)
		}
		c.Action = Action(entry.Action)
		if c.Action == Configured && live != nil && merged != nil {
			c.Fields = changedFields(live.Object, merged.Object)
		}
		return c
	}
	entry, err := m.rm.Apply(ctx, u, ssa.DefaultApplyOptions())
	if err != nil {
		return fail(err)
	}
	c.Action = Action(entry.Action)
	return c
}

// rootCause strips ssa's wrapping down to the API server's error, whose
// message ObjectError prints with the subject and file.
func rootCause(err error) error {
	var dre *ssaerrors.DryRunErr
	if errors.As(err, &dre) {
		err = dre.Unwrap()
	}
	var status *apierrors.StatusError
	if errors.As(err, &status) {
		return status
	}
	var nomatch *meta.NoKindMatchError
	if errors.As(err, &nomatch) {
		return nomatch
	}
	return err
}

// waitEstablished waits for the CRDs and Namespaces just applied; a CRD
// that does not become established fails, since nothing of its kind can be
// applied.
func (m *Manager) waitEstablished(ctx context.Context, stage []Object, res *Result, timeout time.Duration) {
	var set object.ObjMetadataSet
	for _, o := range stage {
		set = append(set, object.UnstructuredToObjMetadata(o.Object))
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := m.rm.WaitForSetWithContext(wctx, set, ssa.WaitOptions{Interval: 500 * time.Millisecond, Timeout: timeout})
	if err == nil {
		return
	}
	for i, c := range res.Changes {
		for _, o := range stage {
			if c.Subject == o.Subject() && c.Action != Failed && utils.IsCRD(o.Object) {
				res.Changes[i].Action = Failed
				res.Changes[i].Err = &ObjectError{Subject: c.Subject, File: c.File, Err: fmt.Errorf("applied but not established: %w", err)}
			}
		}
	}
}

// changedFields lists the paths where a dry-run result differs from the
// live object, ignoring status and server-owned metadata. Lists are
// compared whole.
func changedFields(live, merged map[string]any) []string {
	var out []string
	for _, k := range []string{"labels", "annotations"} {
		a, _, _ := unstructured.NestedFieldNoCopy(live, "metadata", k)
		b, _, _ := unstructured.NestedFieldNoCopy(merged, "metadata", k)
		diffPaths("metadata."+k, a, b, &out)
	}
	strip := func(m map[string]any) map[string]any {
		c := make(map[string]any, len(m))
		for k, v := range m {
			if k != "metadata" && k != "status" {
				c[k] = v
			}
		}
		return c
	}
	diffPaths("", strip(live), strip(merged), &out)
	sort.Strings(out)
	return out
}

func diffPaths(prefix string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, prefix)
		}
		return
	}
	keys := map[string]bool{}
	for k := range am {
		keys[k] = true
	}
	for k := range bm {
		keys[k] = true
	}
	for k := range keys {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if strings.ContainsAny(k, ".") {
			p = prefix + "[" + k + "]"
		}
		diffPaths(p, am[k], bm[k], out)
	}
}
