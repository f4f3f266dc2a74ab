// Package simcluster runs a simulated cluster in which pods are really
// scheduled: the kube-apiserver and etcd of internal/testenv, plus
// kube-controller-manager and kube-scheduler from the same
// k8s.io/kubernetes module and kwok (sigs.k8s.io/kwok) keeping fake nodes
// and pods alive, all built by hack/testenv/build.sh into
// .cache/testenv/bin (make testenv).
//
// Nodes mirror the node groups of a rendered eksctl ClusterConfig: the
// instance type's capacity and allocatable from internal/sizing, the
// group's labels and taints, zones round-robin over the zones eksctl picks
// for the region. The add-on pods the fit check counts (the DaemonSets,
// coredns, the EBS CSI controller, Flux) run as stand-ins with the same
// requests. Volumes are provisioned as the EBS CSI driver does under a
// WaitForFirstConsumer StorageClass: pinned to the zone of the node the
// scheduler chose.
//
// The toleration of unreachable and not-ready nodes and the controller
// manager's node grace period are cut to seconds (TolerationSeconds,
// NodeGracePeriod), so drills that lose nodes finish in seconds.
//
// What does not run: no kubelet (kwok marks containers running and ready
// without running them), no webhook servers (webhook configurations are
// left out when a tree is applied), no cloud controller (the drills delete
// lost nodes and their pods themselves, as the cloud node lifecycle
// controller and the pod garbage collector would after 40 s).
package simcluster
