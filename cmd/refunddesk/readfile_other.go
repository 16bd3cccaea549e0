//go:build !unix

package main

// openNoFollowNoBlock: elsewhere the checks before and after opening stand alone.
const openNoFollowNoBlock = 0
