package apply

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// inventoryKey is the ConfigMap data key holding the entries, one per line:
// "<namespace>_<name>_<group>_<Kind> <version>", the ids Flux's own
// inventory uses.
const inventoryKey = "objects"

// inventory maps an object id to its API version.
type inventory map[string]string

func (inv inventory) add(u *unstructured.Unstructured) {
	inv[object.UnstructuredToObjMetadata(u).String()] = u.GroupVersionKind().Version
}

func (inv inventory) has(u *unstructured.Unstructured) bool {
	_, ok := inv[object.UnstructuredToObjMetadata(u).String()]
	return ok
}

// ids returns the ids sorted.
func (inv inventory) ids() []string {
	ids := make([]string, 0, len(inv))
	for id := range inv {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// object returns a skeleton of the object with id, for Get and Delete.
func (inv inventory) object(id string) (*unstructured.Unstructured, error) {
	md, err := object.ParseObjMetadata(id)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: md.GroupKind.Group, Version: inv[id], Kind: md.GroupKind.Kind})
	u.SetNamespace(md.Namespace)
	u.SetName(md.Name)
	return u, nil
}

func (inv inventory) encode() string {
	var b strings.Builder
	for _, id := range inv.ids() {
		fmt.Fprintf(&b, "%s %s\n", id, inv[id])
	}
	return b.String()
}

func decodeInventory(s string) (inventory, error) {
	inv := inventory{}
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		id, version, ok := strings.Cut(line, " ")
		if _, err := object.ParseObjMetadata(id); !ok || version == "" || err != nil {
			return nil, fmt.Errorf("line %d: want \"<id> <version>\", got %q", i+1, line)
		}
		inv[id] = version
	}
	return inv, nil
}

func (m *Manager) inventoryObject() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetNamespace(m.inv.Namespace)
	u.SetName(m.inv.Name)
	return u
}

// readInventory returns the stored inventory, empty when there is none.
// Apply checks that the cluster is reachable first, so an error here is
// the inventory's.
func (m *Manager) readInventory(ctx context.Context) (inventory, error) {
	u := m.inventoryObject()
	err := m.client.Get(ctx, m.inv, u)
	if apierrors.IsNotFound(err) {
		return inventory{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the inventory ConfigMap %s failed: %w", m.inv, err)
	}
	data, _, _ := unstructured.NestedString(u.Object, "data", inventoryKey)
	inv, err := decodeInventory(data)
	if err != nil {
		return nil, fmt.Errorf("inventory ConfigMap %s is corrupt: %w", m.inv, err)
	}
	return inv, nil
}

// writeInventory stores inv with server-side apply.
func (m *Manager) writeInventory(ctx context.Context, inv inventory) error {
	u := m.inventoryObject()
	u.SetLabels(map[string]string{"app.kubernetes.io/managed-by": FieldManager})
	if err := unstructured.SetNestedStringMap(u.Object, map[string]string{inventoryKey: inv.encode()}, "data"); err != nil {
		return err
	}
	if _, err := m.rm.Apply(ctx, u, ssa.DefaultApplyOptions()); err != nil {
		return fmt.Errorf("writing the inventory ConfigMap %s failed: %w", m.inv, err)
	}
	return nil
}
