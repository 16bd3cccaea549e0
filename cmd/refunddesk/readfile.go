package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"refunddesk/tickets"
)

// tooLargeError is a file over the limit it is read with.
type tooLargeError struct {
	path  string
	size  int64 // 0: not known (more than it said)
	limit int64
}

func (e *tooLargeError) Error() string { return e.path + ": " + e.words() }

func (e *tooLargeError) words() string {
	if e.size > 0 {
		return fmt.Sprintf("the file is %s, more than the %s allowed", humanSize(e.size), humanSize(e.limit))
	}
	return fmt.Sprintf("the file is more than the %s allowed", humanSize(e.limit))
}

// readRegular reads a file named on the command line, at most limit bytes.
// Only a regular file is read: a symbolic link, a folder, a named pipe, a
// socket or a device is refused before anything is read from it. The file is
// opened without following a link and without blocking (a pipe swapped in
// after the check neither hangs the command nor is read), checked again once
// open, and read through a limit of limit+1 bytes, so a file that is bigger
// than its size said — growing, or a kernel file that reports 0 — never
// fills memory either. The errors are the user's words.
func readRegular(path string, limit int64) ([]byte, error) {
	lst, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, lst); err != nil {
		return nil, err
	}
	if lst.Size() > limit {
		return nil, &tooLargeError{path: path, size: lst.Size(), limit: limit}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollowNoBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || !os.SameFile(lst, st) {
		return nil, fmt.Errorf("%s was replaced while it was being read; run the command again", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &tooLargeError{path: path, limit: limit}
	}
	return b, nil
}

// checkRegular refuses anything but a regular file, saying what it is.
func checkRegular(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return fmt.Errorf("%s is a symbolic link (to %s); give the file itself", path, target)
	case m.IsDir():
		return fmt.Errorf("%s is a folder, not a file", path)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%s is a named pipe, not a regular file", path)
	case m&fs.ModeSocket != 0:
		return fmt.Errorf("%s is a socket, not a regular file", path)
	case m&fs.ModeDevice != 0:
		return fmt.Errorf("%s is a device, not a regular file", path)
	}
	return fmt.Errorf("%s is not a regular file", path)
}

// readEvidence reads evidence files named on the command line, each under
// the per-file limit (see readRegular). A refused file is a validation error
// that names it, and nothing is submitted.
func readEvidence(ctx context.Context, paths []string, limit int64) ([]tickets.File, error) {
	var out []tickets.File
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := readRegular(p, limit)
		var pe *fs.PathError
		var big *tooLargeError
		switch {
		case errors.As(err, &pe):
			return nil, usageError{fmt.Errorf("evidence %s: %w", p, pe.Err)}
		case errors.As(err, &big):
			return nil, tickets.Invalidf("evidence "+filepath.Base(p), "%s per file", big.words())
		case err != nil:
			return nil, tickets.Invalidf("evidence "+filepath.Base(p), "%v", err)
		}
		out = append(out, tickets.File{Name: filepath.Base(p), Data: b})
	}
	return out, nil
}
