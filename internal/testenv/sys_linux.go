package testenv

import "syscall"

// sysProcAttr kills the servers when the test binary dies without cleanup
// (a timeout panic or a kill), so no stray etcd holds a port.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
