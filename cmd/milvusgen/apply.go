package main

// apply is implemented in its own file so each command's flags and printing
// stay apart; see the issue that introduces it.
func (e env) apply(args []string) error {
	return usageError{"apply: not implemented yet"}
}
