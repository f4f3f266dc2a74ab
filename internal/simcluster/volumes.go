package simcluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// selectedNode is the annotation the scheduler puts on a claim of a
// WaitForFirstConsumer StorageClass once it chose its pod's node; an
// external provisioner (the EBS CSI driver's csi-provisioner) creates the
// volume in that node's zone.
const selectedNode = "volume.kubernetes.io/selected-node"

// startCloud runs what the cloud provides around the cluster, every
// 200 ms until the cluster stops: load balancer addresses
// (loadBalancers) and the volume provisioner.
//
// The provisioner: for every claim the scheduler
// selected a node for, a PersistentVolume of the claim's StorageClass and
// size, bound to the claim and pinned (node affinity) to the zone of that
// node, as an EBS volume is. The controller manager's volume binder then
// binds the claim, and the pod's volume stays in that zone for good.
func (c *Cluster) startCloud() {
	ctx, cancel := context.WithCancel(context.Background())
	c.volumes, c.volDone = cancel, make(chan struct{})
	go func() {
		defer close(c.volDone)
		for {
			for _, step := range []func(context.Context) error{c.provision, c.loadBalancers} {
				if err := step(ctx); err != nil && ctx.Err() == nil {
					c.t.Logf("simcluster: %v", err)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
}

func (c *Cluster) provision(ctx context.Context) error {
	claims, err := c.Client.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, pvc := range claims.Items {
		node := pvc.Annotations[selectedNode]
		if node == "" || pvc.Spec.VolumeName != "" || pvc.Spec.StorageClassName == nil {
			continue
		}
		name := "pvc-" + string(pvc.UID)
		if _, err := c.Client.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{}); err == nil {
			continue
		}
		sc, err := c.Client.StorageV1().StorageClasses().Get(ctx, *pvc.Spec.StorageClassName, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("claim %s/%s: %w", pvc.Namespace, pvc.Name, err)
		}
		n, err := c.Client.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("claim %s/%s: selected node: %w", pvc.Namespace, pvc.Name, err)
		}
		pv := volumeFor(&pvc, sc, n.Labels[ZoneLabel], name)
		if _, err := c.Client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("claim %s/%s: %w", pvc.Namespace, pvc.Name, err)
		}
	}
	return nil
}

func volumeFor(pvc *corev1.PersistentVolumeClaim, sc *storagev1.StorageClass, zone, name string) *corev1.PersistentVolume {
	reclaim := corev1.PersistentVolumeReclaimDelete
	if sc.ReclaimPolicy != nil {
		reclaim = *sc.ReclaimPolicy
	}
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": sc.Provisioner},
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: pvc.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   pvc.Spec.AccessModes,
			StorageClassName:              sc.Name,
			PersistentVolumeReclaimPolicy: reclaim,
			VolumeMode:                    pvc.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID,
			},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver:       sc.Provisioner,
				VolumeHandle: "vol-" + string(pvc.UID),
			}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
					Key: ZoneLabel, Operator: corev1.NodeSelectorOpIn, Values: []string{zone},
				}}}},
			}},
		},
	}
}
