package kube

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

func TestRenderGolden(t *testing.T) {
	for name, s := range modeltest.TreeVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			golden.AssertTree(t, filepath.Join("testdata", name), files)
		})
	}
}

// TestRenderDecodes strict-decodes every file into its k8s.io/api type and
// checks it is what the builders return, at the paths render/kustomize
// lists.
func TestRenderDecodes(t *testing.T) {
	for name, s := range modeltest.TreeVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				kustomize.Path(kustomize.InfrastructureDir, kustomize.StorageClassFile): buildStorageClass(s),
				kustomize.Path(kustomize.AppsDir, kustomize.NamespaceFile):              buildNamespace(s),
			}
			if len(files) != len(want) {
				t.Fatalf("got %d files, want %d", len(files), len(want))
			}
			for _, f := range files {
				w, ok := want[f.Path]
				if !ok {
					t.Fatalf("unexpected file %s", f.Path)
				}
				if !bytes.HasPrefix(f.Data, []byte("# "+manifest.Header+"\n")) || bytes.Contains(f.Data, []byte("\n---\n")) {
					t.Errorf("%s: want the header and exactly one document", f.Path)
				}
				var got any
				switch w.(type) {
				case *storagev1.StorageClass:
					got = &storagev1.StorageClass{}
				case *corev1.Namespace:
					got = &corev1.Namespace{}
				}
				if err := yaml.UnmarshalStrict(f.Data, got); err != nil {
					t.Fatalf("%s: strict decoding failed: %v", f.Path, err)
				}
				if d := cmp.Diff(w, got); d != "" {
					t.Errorf("%s: decoded object differs from the built one (-built +decoded):\n%s", f.Path, d)
				}
			}
		})
	}
}

func TestBuildStorageClass(t *testing.T) {
	base := func() *storagev1.StorageClass {
		return &storagev1.StorageClass{
			TypeMeta: metav1.TypeMeta{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass"},
			ObjectMeta: metav1.ObjectMeta{
				Name: "ebs-gp3-sc",
				Annotations: map[string]string{
					"storageclass.kubernetes.io/is-default-class": "true",
					// Parameters and reclaim policy are immutable: Flux
					// recreates the class when they change.
					"kustomize.toolkit.fluxcd.io/force": "enabled",
				},
			},
			Provisioner:          "ebs.csi.aws.com",
			Parameters:           map[string]string{"type": "gp3", "encrypted": "true"},
			ReclaimPolicy:        ptr(corev1.PersistentVolumeReclaimRetain),
			AllowVolumeExpansion: ptr(true),
			VolumeBindingMode:    ptr(storagev1.VolumeBindingWaitForFirstConsumer),
		}
	}
	tests := map[string]struct {
		spec   func(*model.StorageClass)
		modify func(*storagev1.StorageClass)
	}{
		"runbook": {
			spec:   func(*model.StorageClass) {},
			modify: func(*storagev1.StorageClass) {},
		},
		"not default": {
			spec: func(c *model.StorageClass) { c.Default = false },
			modify: func(sc *storagev1.StorageClass) {
				delete(sc.Annotations, "storageclass.kubernetes.io/is-default-class")
			},
		},
		"reclaim Delete": {
			spec:   func(c *model.StorageClass) { c.ReclaimPolicy = "Delete" },
			modify: func(sc *storagev1.StorageClass) { sc.ReclaimPolicy = ptr(corev1.PersistentVolumeReclaimDelete) },
		},
		"reclaim Retain": {
			spec:   func(c *model.StorageClass) { c.ReclaimPolicy = "Retain" },
			modify: func(*storagev1.StorageClass) {},
		},
		"unencrypted": {
			spec:   func(c *model.StorageClass) { c.Encrypted = false },
			modify: func(sc *storagev1.StorageClass) { delete(sc.Parameters, "encrypted") },
		},
		"customer KMS key": {
			spec:   func(c *model.StorageClass) { c.KMSKeyID = modeltest.KMSKeyID },
			modify: func(sc *storagev1.StorageClass) { sc.Parameters["kmsKeyId"] = modeltest.KMSKeyID },
		},
		"name and type": {
			spec: func(c *model.StorageClass) { c.Name, c.Type = "ebs-io2", "io2" },
			modify: func(sc *storagev1.StorageClass) {
				sc.Name = "ebs-io2"
				sc.Parameters["type"] = "io2"
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := modeltest.Runbook()
			tt.spec(&s.Storage.StorageClass)
			want := base()
			tt.modify(want)
			got := buildStorageClass(s)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if errs := validation.IsDNS1123Subdomain(got.Name); len(errs) > 0 {
				t.Errorf("StorageClass name %q: %v", got.Name, errs)
			}
		})
	}
}

func TestBuildNamespace(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Namespace = "vectors"
	want := &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "vectors",
			// The LB controller's webhook selects this label to give the
			// proxies the NLB target-health readiness gate
			// (render/values.TestReadinessGateReachesProxies checks the
			// chart's webhook selects it).
			Labels: map[string]string{"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"},
			// Deleting the namespace deletes etcd's volume claims: Flux
			// must never prune it.
			Annotations: map[string]string{"kustomize.toolkit.fluxcd.io/prune": "disabled"},
		},
	}
	if d := cmp.Diff(want, buildNamespace(s)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestProtectedAnnotated: every object of the protected list that the tree
// holds carries Flux's prune: disabled, and every replaced one force:
// enabled, so the lists are what the engines act on.
func TestProtectedAnnotated(t *testing.T) {
	s := modeltest.Runbook()
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	type meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name, Namespace string
			Annotations     map[string]string
		} `json:"metadata"`
	}
	rendered := map[Object]map[string]string{}
	for _, f := range files {
		var m meta
		if err := yaml.Unmarshal(f.Data, &m); err != nil {
			t.Fatal(err)
		}
		rendered[Object{m.APIVersion, m.Kind, m.Metadata.Namespace, m.Metadata.Name}] = m.Metadata.Annotations
	}
	for _, tc := range []struct {
		list       []Object
		key, value string
	}{{Protected(s), FluxPruneAnnotation, FluxPruneDisabled}, {Replaced(s), FluxForceAnnotation, FluxForceEnabled}} {
		if len(tc.list) == 0 {
			t.Fatalf("empty list for %s", tc.key)
		}
		for _, o := range tc.list {
			ann, ok := rendered[o]
			if !ok {
				t.Errorf("%+v is not in the tree", o)
				continue
			}
			if ann[tc.key] != tc.value {
				t.Errorf("%+v annotations %v, want %s: %s", o, ann, tc.key, tc.value)
			}
		}
	}
}
