// Package spec loads a milvusgen spec: it reads CUE, YAML or JSON files,
// unifies them (later files and overlays refine earlier ones) with the
// embedded #Spec schema, checks every rule, and decodes the result into a
// model.Spec with all defaults filled in.
//
// Errors are cue/errors values. Every one carries the position of the
// offending value in the user's file (never in the schema), starts with the
// field path, and says what is allowed. Load reports all problems at once;
// print them with errors.Print.
package spec
