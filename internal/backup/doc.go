// Package backup runs and reads the milvus-backup CronJob render/backup
// renders: Now starts a Job from it and waits for the outcome (`milvusgen
// backup now`); Last reads the newest finished Job (`milvusgen backup
// status`, the upgrade plan's backup check).
package backup
