// Command milvusgen renders one declarative spec into everything needed to
// run a Milvus cluster on Amazon EKS through GitOps. See `milvusgen help`.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
