package main

// chart is implemented in its own file so each command's flags and printing
// stay apart; see the issue that introduces it.
func (e env) chart(args []string) error {
	return usageError{"chart: not implemented yet"}
}
