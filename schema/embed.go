// Package schema embeds the CUE schema of a milvusgen spec (#Spec), so the
// binary and `cue vet` (through cue.mod/) validate against the same file.
package schema

import _ "embed"

// Source is the CUE source of the schema package.
//
//go:embed spec.cue
var Source []byte

// Filename is the name positions in the schema are reported under.
const Filename = "schema/spec.cue"
