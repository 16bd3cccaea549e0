package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"refunddesk/tickets/sqlstore"
)

// within runs a command that must return; if it blocks, the test fails after
// a generous wait instead of hanging (a safety net, not a timing check).
func (c *cli) within(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := c.run(args...)
		done <- result{code, out, errs}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("refunddesk %s did not return: it blocks", strings.Join(args, " "))
		return 0, "", ""
	}
}

const tinyPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

// Evidence named on the command line: only regular files are read, and
// never more than the limit; anything else is refused before it is read,
// with words that say what it is, and nothing is written.
func TestCLIEvidenceOnlyRegularFilesWithinTheLimit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes, /dev/zero and symbolic links as on unix")
	}
	c := newCLI(t, sqlstore.SQLite)
	shot := c.file("shot.png", tinyPNG)
	c.ok("tickets", "submit", "--account", "@rani", "--order", "7301000000000000001", "--reason", "under_delivery",
		"--details", "only 2k views", "--evidence", shot, "--as", "ayu")

	fifo := filepath.Join(c.dir, "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(c.dir, "link.png")
	if err := os.Symlink(shot, link); err != nil {
		t.Fatal(err)
	}
	// A sparse file of a terabyte: nothing on disk, all of it to read.
	sparse := filepath.Join(c.dir, "huge.png")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(tinyPNG); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Fatal(err)
	}
	f.Close()
	svg := c.file("chart.svg", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>`)

	cases := []struct {
		name, path, want string
	}{
		{"a named pipe", fifo, "evidence pipe.png: " + fifo + " is a named pipe, not a regular file"},
		{"the zero device", "/dev/zero", "evidence zero: /dev/zero is a device, not a regular file"},
		{"a symbolic link", link, "evidence link.png: " + link + " is a symbolic link (to " + shot + "); give the file itself"},
		{"a sparse terabyte", sparse, "evidence huge.png: the file is 1048576.0 MiB, more than the 10.0 MiB allowed per file"},
		{"an SVG", svg, "evidence chart.svg: a image/svg+xml file is not accepted as evidence"},
		{"a folder", c.dir, "is a folder, not a file"},
		{"no such file", filepath.Join(c.dir, "nope.png"), "evidence " + filepath.Join(c.dir, "nope.png") + ": no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"tickets", "attach", "RD-1", tc.path, "--as", "ayu"},
				{"tickets", "submit", "--account", "@budi", "--order", "7301000000000000002", "--reason", "technical_error",
					"--details", "broken", "--evidence", shot, "--evidence", tc.path, "--as", "ayu"},
			} {
				code, _, errs := c.within(t, args...)
				if code != exitUsage || !strings.Contains(errs, tc.want) {
					t.Errorf("refunddesk %s: exit %d, %q; want exit %d and %q", args[1], code, errs, exitUsage, tc.want)
				}
			}
		})
	}
	// Nothing was written: RD-1 keeps its one file, and no second ticket.
	var list []struct {
		Ref      string            `json:"ref"`
		Evidence []json.RawMessage `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(c.ok("tickets", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || len(list[0].Evidence) != 1 {
		t.Errorf("after the refusals: %+v, want RD-1 with one file", list)
	}
}

// A file bigger than its size says (a kernel file reports 0) is read only up
// to the limit and refused.
func TestReadRegularStopsAtTheLimit(t *testing.T) {
	const proc = "/proc/self/status"
	fi, err := os.Stat(proc)
	if err != nil || fi.Size() != 0 {
		t.Skip("no /proc file that reports 0 bytes here")
	}
	if _, err := readRegular(proc, 16); err == nil || !strings.Contains(err.Error(), "the file is more than the 16 B allowed") {
		t.Errorf("readRegular(%s, 16) = %v", proc, err)
	}
	b, err := readRegular(proc, 1<<20)
	if err != nil || len(b) == 0 {
		t.Errorf("readRegular(%s, 1 MiB) = %d bytes, %v", proc, len(b), err)
	}
}
