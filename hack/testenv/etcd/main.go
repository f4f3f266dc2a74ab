// Command etcd is etcd's own server, built from Go modules for the
// milvusgen apply tests (see internal/testenv and hack/testenv/build.sh).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
