package main

// diff is implemented in its own file so each command's flags and printing
// stay apart; see the issue that introduces it.
func (e env) diff(args []string) error {
	return usageError{"diff: not implemented yet"}
}
