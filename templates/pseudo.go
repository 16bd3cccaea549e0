package templates

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"github.com/BurntSushi/toml"
)

// Files are the embedded catalogs and templates, as New reads them.
func Files() fs.FS { return files }

// WithFiles makes New read the catalogs and templates from fsys (laid out
// as Files is) instead of the embedded ones: a language kept outside the
// binary, or a test's.
func WithFiles(fsys fs.FS) Option { return func(o *options) { o.files = fsys } }

// Pseudo returns fsys with one more language, lang, that no one speaks: the
// English catalog (its top-level file and each area's) with every message
// wrapped in ⟦…⟧ (the separators of numbers left as they are), and copies
// of the English templates. It is
// for tests that a language is one catalog file plus its templates, and
// that every word a channel shows comes from the catalog: a word that is
// not wrapped did not.
func Pseudo(fsys fs.FS, lang string) (fs.FS, error) {
	m := fstest.MapFS{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		return nil, err
	}
	en := path.Join(localesDir, FallbackLanguage+".toml")
	if m[en] == nil {
		return nil, fmt.Errorf("templates: pseudo-language %s: no %s", lang, en)
	}
	// The top-level English file, and each area's (locales/audit/en.toml).
	var english []string
	for p := range m {
		if path.Base(p) == FallbackLanguage+".toml" && strings.HasPrefix(p, localesDir+"/") {
			english = append(english, p)
		}
	}
	for _, p := range english {
		dir := path.Dir(p) + "/"
		b, err := pseudoMessages(m[p].Data)
		if err != nil {
			return nil, fmt.Errorf("templates: pseudo-language %s: %s: %w", lang, p, err)
		}
		m[dir+lang+".toml"] = &fstest.MapFile{Data: b}
	}
	for p, f := range m {
		if strings.HasPrefix(p, localesDir+"/") {
			continue
		}
		if dir, name := path.Split(p); strings.Contains(name, "."+FallbackLanguage+".") {
			m[dir+strings.Replace(name, "."+FallbackLanguage+".", "."+lang+".", 1)] = f
		}
	}
	return m, nil
}

// pseudoMessages is a catalog file with every message wrapped in ⟦…⟧ (the
// separators of numbers left as they are).
func pseudoMessages(data []byte) ([]byte, error) {
	var msgs map[string]any
	if err := toml.Unmarshal(data, &msgs); err != nil {
		return nil, err
	}
	wrap := func(id, s string) string {
		if strings.HasPrefix(id, "format.") && !strings.Contains(s, "{{") {
			return s // the separators: numbers stay numbers
		}
		return "⟦" + s + "⟧"
	}
	out := map[string]any{}
	for id, v := range msgs {
		switch v := v.(type) {
		case string:
			out[id] = wrap(id, v)
		case map[string]any: // plural forms
			forms := map[string]any{}
			for k, f := range v {
				s, _ := f.(string)
				forms[k] = wrap(id, s)
			}
			out[id] = forms
		default:
			return nil, fmt.Errorf("%s is a %T", id, v)
		}
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
