package main

// size is implemented in its own file so each command's flags and printing
// stay apart; see the issue that introduces it.
func (e env) size(args []string) error {
	return usageError{"size: not implemented yet"}
}
