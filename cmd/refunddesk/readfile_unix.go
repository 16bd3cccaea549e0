//go:build unix

package main

import "syscall"

// openNoFollowNoBlock opens without following a symbolic link and without
// waiting for a writer on a named pipe.
const openNoFollowNoBlock = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
