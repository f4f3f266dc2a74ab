// Package input is the one way milvusgen reads a file it was given or
// finds on disk: specs, the fleet file, rendered trees, chart archives,
// the chart cache and lock, kubeconfigs and TLS files.
//
// Every read is bounded in size and in time. A regular file larger than
// its bound is refused by its size before a byte is read; a pipe is read
// up to the bound and refused past it. A device (/dev/zero, a terminal),
// a socket or a directory is refused without being opened. A named pipe
// (FIFO) is opened without blocking and read only once a writer has
// written to it or gone: one that no process writes to within
// OpenTimeout is refused, and one that stays silent is cut off after
// ReadTimeout. Every error names the path.
package input
