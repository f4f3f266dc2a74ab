// Package modeltest holds the fixtures tests share: model.Spec values built
// in Go, so each renderer can be tested alone without the CUE loader
// (Runbook, Variant, TreeVariants), and the list of rendered examples
// (Examples) that `make render`, the golden tests and the end-to-end tests
// read. It does no I/O beyond reading that list.
package modeltest
