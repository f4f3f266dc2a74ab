package spec

// GitPathProblem applies the rule of gitops.repository.path to p, a
// repository path from elsewhere (apply --path, or the place of -o in its
// Git work tree), so every path Flux syncs passes the same rule: "" when
// p is valid, else what is wrong with it.
func GitPathProblem(p string) string {
	return stringRules["gitops.repository.path"](p)
}
