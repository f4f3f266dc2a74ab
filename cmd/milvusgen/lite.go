//go:build lite

package main

import (
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render"
)

// The lite build is the fast milvusgen: it links neither the Helm SDK nor
// the Kubernetes clients, whose package initialisation alone takes longer
// than a whole render. The commands that need them run in milvusgen-full.

func (e env) apply(args []string) error { return errDelegate }
func (e env) chart(args []string) error { return errDelegate }
func (e env) diff(args []string) error  { return errDelegate }

// apply hands render --hydrate to milvusgen-full.
func (f *hydrateFlags) apply(_ *model.Spec, files []render.File) ([]render.File, error) {
	if f.on {
		return nil, errDelegate
	}
	return files, nil
}

const build = "lite"
