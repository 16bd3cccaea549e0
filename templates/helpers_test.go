package templates

import (
	"context"
	"io/fs"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
)

// logRecorder keeps what a catalog logs: it logs only a message that is
// missing or does not render.
type logRecorder struct {
	mu      sync.Mutex
	records []string
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	s := r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	h.mu.Lock()
	h.records = append(h.records, s)
	h.mu.Unlock()
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

func (h *logRecorder) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.records)
}

// newCatalogT loads the shipped catalogs; a warning logged while the test
// runs (a message missing or broken) fails it.
func newCatalogT(t *testing.T) *Catalog {
	t.Helper()
	rec := &logRecorder{}
	c, err := NewCatalog(slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, r := range rec.all() {
			t.Errorf("catalog warning: %s", r)
		}
	})
	return c
}

// embeddedFS copies the embedded files into a map a test can change.
func embeddedFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
