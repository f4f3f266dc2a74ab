package backup

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Names the CronJob's pods and backup.yaml use.
const (
	// ConfigKey is backup.yaml's key in the ConfigMap.
	ConfigKey = "backup.yaml"
	// ConfigDir is where the ConfigMap is mounted.
	ConfigDir = "/etc/milvus-backup"
	// NamePrefix starts every backup the CronJob creates; retention
	// deletes only names with it, never a backup made by hand.
	NamePrefix = "milvusgen_"
	// AppLabel is the app.kubernetes.io/name of the CronJob, its Jobs and
	// pods; `milvusgen backup` finds them by it.
	AppLabel = "milvus-backup"
)

// Render returns kubernetes/apps/milvus/backup.yaml (ConfigMap and
// CronJob), or nothing when the spec has no backup section.
func Render(s *model.Spec) ([]manifest.File, error) {
	if s.Backup == nil {
		return nil, nil
	}
	cm, err := buildConfigMap(s)
	if err != nil {
		return nil, err
	}
	f, err := manifest.YAML(kustomize.Path(kustomize.AppsDir, kustomize.BackupFile), cm, BuildCronJob(s))
	if err != nil {
		return nil, err
	}
	return []manifest.File{f}, nil
}

// Labels are the backup objects' labels.
func Labels(s *model.Spec) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       AppLabel,
		"app.kubernetes.io/instance":   s.Name,
		"app.kubernetes.io/managed-by": "milvusgen",
	}
}

// Config is backup.yaml in milvus-backup v0.5.16's layout
// (configs/backup.yaml of that tag).
func Config(s *model.Spec) map[string]any {
	b := s.Backup
	mv := map[string]any{
		"address": s.MilvusAddress(),
		"port":    s.Milvus.Service.Port,
		"tlsMode": s.Milvus.TLS.Mode,
		"etcd": map[string]any{
			"endpoints": etcdService(s) + ":2379",
			// Milvus's etcd.rootPath: the chart sets none, so Milvus's default.
			"rootPath": "by-dev",
		},
	}
	if s.Milvus.Auth.Enabled {
		mv["user"] = "root" // the password comes from MILVUS_PASSWORD
	}
	if s.Milvus.TLS.Mode > 0 {
		mv["caCertPath"] = model.TLSMountPath + "/ca.crt"
	}
	if s.Milvus.TLS.Mode == 2 {
		mv["mtlsCertPath"] = model.TLSMountPath + "/tls.crt"
		mv["mtlsKeyPath"] = model.TLSMountPath + "/tls.key"
	}
	minio := map[string]any{
		// The data side: exactly Milvus's externalS3 (render/values).
		"storageType": "aws",
		"address":     s.S3Host(),
		"port":        443,
		"region":      s.AWS.Region,
		"useSSL":      true,
		"useIAM":      true,
		"iamEndpoint": "",
		"bucketName":  s.Storage.Bucket,
		"rootPath":    s.Storage.RootPath,
		// The backup side: the same credentials mode (the pod's role).
		"backupStorageType": "aws",
		"backupAddress":     s.BackupS3Host(),
		"backupPort":        443,
		"backupRegion":      s.BackupRegion(),
		"backupUseSSL":      true,
		"backupUseIAM":      true,
		"backupIamEndpoint": "",
		"backupBucketName":  s.BackupBucket(),
		"backupRootPath":    b.RootPath,
		// Server-side copy works within one region; across regions the pod
		// copies (validation demands crossRegion there).
		"crossStorage": b.CrossRegion,
	}
	return map[string]any{
		"log":    map[string]any{"level": "info", "console": true},
		"milvus": mv,
		"minio":  minio,
		"backup": map[string]any{
			// The chart's Services publish Milvus's management port 9091
			// only with metrics on, which milvusgen turns off (9091 skips
			// login), so no Service reaches the GC pause API. Milvus keeps
			// dropped segments for dataCoord.gc.dropTolerance (3 h by
			// default) before deleting them, which covers a backup's copy.
			"gcPause": map[string]any{"enable": false},
		},
	}
}

func buildConfigMap(s *model.Spec) (*corev1.ConfigMap, error) {
	data, err := yaml.Marshal(Config(s))
	if err != nil {
		return nil, fmt.Errorf("backup.yaml marshal failed: %w", err)
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: s.BackupName(), Namespace: s.Milvus.Namespace, Labels: Labels(s)},
		Data:       map[string]string{ConfigKey: string(data)},
	}, nil
}

// etcdService is the etcd subchart's Service (config.tpl's
// $etcdReleaseName), in the Milvus namespace.
func etcdService(s *model.Spec) string {
	name := s.Name + "-etcd"
	if strings.Contains(s.Name, "etcd") {
		name = s.Name
	}
	return name + "." + s.Milvus.Namespace + ".svc"
}

// script creates a backup named by the time it starts, then keeps the
// newest Keep of the CronJob's backups (names sort by time) and deletes
// the rest. It runs in the image's Alpine shell. The commands are
// v0.5.16's (cmd/create, cmd/list, cmd/del at that tag): --config is the
// root's persistent flag, create and delete take -n/--name, and list
// prints ">> Backups:" then one name per line.
func script(s *model.Spec) string {
	cfg := ConfigDir + "/" + ConfigKey
	return strings.Join([]string{
		"set -eu",
		`name="` + NamePrefix + `$(date -u +%Y%m%d_%H%M%S)"`,
		`/app/milvus-backup --config ` + cfg + ` create -n "$name"`,
		fmt.Sprintf(`/app/milvus-backup --config %s list | grep -o '%s[0-9]\{8\}_[0-9]\{6\}' | sort -u -r | tail -n +%d | while read -r old; do /app/milvus-backup --config %s delete -n "$old"; done`,
			cfg, NamePrefix, s.Backup.Keep+1, cfg),
	}, "\n")
}

// BuildCronJob is the backup CronJob: one backup at a time, history of
// the last three of each outcome (the upgrade plan's check reads the
// newest), no retries (a failed backup must show as failed).
func BuildCronJob(s *model.Spec) *batchv1.CronJob {
	labels := Labels(s)
	var env []corev1.EnvVar
	if a := s.Milvus.Auth; a.Enabled {
		env = append(env, corev1.EnvVar{Name: "MILVUS_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: a.RootPasswordSecret.Name}, Key: a.RootPasswordSecret.Key},
		}})
	}
	mounts := []corev1.VolumeMount{{Name: "config", MountPath: ConfigDir, ReadOnly: true}}
	volumes := []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: s.BackupName()},
	}}}}
	if t := s.Milvus.TLS; t.Mode > 0 {
		mounts = append(mounts, corev1.VolumeMount{Name: "milvus-tls", MountPath: model.TLSMountPath, ReadOnly: true})
		volumes = append(volumes, corev1.Volume{Name: "milvus-tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: t.SecretName}}})
	}
	q := resource.MustParse
	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: metav1.ObjectMeta{Name: s.BackupName(), Namespace: s.Milvus.Namespace, Labels: labels},
		Spec: batchv1.CronJobSpec{
			Schedule:                   s.Backup.Schedule,
			TimeZone:                   ptr("Etc/UTC"),
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr(int64(3600)),
			SuccessfulJobsHistoryLimit: ptr(int32(3)),
			FailedJobsHistoryLimit:     ptr(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: batchv1.JobSpec{
					BackoffLimit: ptr(int32(0)),
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{
							ServiceAccountName: s.Backup.ServiceAccount,
							RestartPolicy:      corev1.RestartPolicyNever,
							Containers: []corev1.Container{{
								Name:         "milvus-backup",
								Image:        model.BackupImage,
								Command:      []string{"/bin/sh", "-c", script(s)},
								Env:          env,
								VolumeMounts: mounts,
								Resources: corev1.ResourceRequirements{
									Requests: corev1.ResourceList{corev1.ResourceCPU: q(model.BackupCPURequest), corev1.ResourceMemory: q(model.BackupMemoryRequest)},
									Limits:   corev1.ResourceList{corev1.ResourceMemory: q(model.BackupMemoryLimit)},
								},
								SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false)},
							}},
							Volumes: volumes,
						},
					},
				},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }
