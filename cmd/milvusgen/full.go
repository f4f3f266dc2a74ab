//go:build !lite

package main

// build names the binary's build in `milvusgen version`: full links every
// command; see lite.go.
const build = "full"
