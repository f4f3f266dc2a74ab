// Package upgrade turns a Milvus version change into stages: for each,
// the exact spec change, what it restarts and in which order, and the
// checks that must pass before the next stage. `milvusgen upgrade plan`
// prints it, and diff describes a legal version change with the same
// Step, so the plan and the PR's diff cannot disagree. The rules that
// refuse a change are internal/versions'.
package upgrade
