package mail

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"refunddesk/tickets"
)

// Folder names in [mail.imap] are written with "/" between levels, whatever
// the server uses. At login the desk learns the server's hierarchy
// separator (LIST "" "") and namespaces (NAMESPACE, RFC 2342) and turns each
// configured name into the server's: the levels joined with the server's
// separator, under the personal namespace's prefix when there is one
// (refunddesk/processed is refunddesk.processed on a Maildir++ Dovecot,
// INBOX.refunddesk.processed on a server whose folders live under INBOX.,
// and stays refunddesk/processed on Gmail and Microsoft 365). INBOX, in any
// case, is INBOX. The processed and set-aside folders may instead name a
// special use (RFC 6154), such as \Archive: the folder the server marks so.
// Non-ASCII names go over the wire in modified UTF-7 (go-imap encodes them).

// imapSection is the config section IMAPConfig is read from, to name the
// key in the errors found at login.
const imapSection = "mail.imap"

// FolderLayout is what the server told of its folders at login, and the
// folders the desk uses there.
type FolderLayout struct {
	// Delim is the server's hierarchy separator ("" when it has none).
	Delim string
	// Namespace is the personal namespace's prefix; NamespaceKnown is false
	// when the server does not answer NAMESPACE.
	Namespace      string
	NamespaceKnown bool
	// Folders are the mailbox read, the processed folder and the set-aside
	// folder, in that order.
	Folders []ResolvedFolder
	// UIDValidity and UIDNext are the mailbox's, as its SELECT gave them.
	UIDValidity, UIDNext uint32
}

// ResolvedFolder is a configured folder and the server's folder it names.
type ResolvedFolder struct {
	Key    string // the config key, e.g. mail.imap.processed_folder
	Config string // the value configured
	Name   string // the server's name
	Note   string // how it was found, when not plainly by name: "created", "special use \Archive", …
}

// namespace is one of the server's namespaces (RFC 2342).
type namespace struct {
	prefix string // as the server writes it, e.g. "INBOX."
	delim  rune   // 0: none
}

// naming is how the server names folders.
type naming struct {
	delim    rune        // from LIST "" ""; 0: the server has no hierarchy
	answered bool        // the server answered NAMESPACE
	personal *namespace  // NAMESPACE's first personal namespace, if any
	others   []namespace // other users' and shared namespaces
}

// learnNaming asks the server for its hierarchy separator and, when it has
// NAMESPACE, its namespaces.
func learnNaming(c *imapclient.Client) (naming, error) {
	var n naming
	list, err := c.List("", "", nil).Collect()
	if err != nil {
		return n, fmt.Errorf("ask the hierarchy separator (LIST \"\" \"\"): %w", err)
	}
	if len(list) > 0 {
		n.delim = list[0].Delim
	}
	caps := c.Caps()
	if !caps.Has(imap.CapNamespace) && !caps.Has(imap.CapIMAP4rev2) {
		return n, nil
	}
	data, err := c.Namespace().Wait()
	if err != nil {
		return n, fmt.Errorf("ask the namespaces (NAMESPACE): %w", err)
	}
	n.answered = true
	if len(data.Personal) > 0 {
		n.personal = &namespace{prefix: data.Personal[0].Prefix, delim: data.Personal[0].Delim}
	}
	for _, d := range slices.Concat(data.Other, data.Shared) {
		n.others = append(n.others, namespace{prefix: d.Prefix, delim: d.Delim})
	}
	return n, nil
}

// checkFolderName says what is wrong with a configured folder name (levels
// joined by /), without asking the server.
func checkFolderName(name string) error {
	if name == "" {
		return errors.New("is empty")
	}
	if strings.ContainsAny(name, "*%") {
		return errors.New("has a LIST wildcard (* or %) in it")
	}
	if slices.Contains(strings.Split(name, "/"), "") {
		return errors.New("has an empty level (a / at an end, or two in a row)")
	}
	return nil
}

// serverName turns a configured folder name into the server's.
func (n naming) serverName(name string) (string, error) {
	if err := checkFolderName(name); err != nil {
		return "", err
	}
	if strings.EqualFold(name, "INBOX") {
		return "INBOX", nil
	}
	levels := strings.Split(name, "/")
	if strings.EqualFold(levels[0], "INBOX") {
		levels[0] = "INBOX"
	}
	// A name that starts with a namespace's prefix is in that namespace;
	// any other is put in the personal one.
	prefix, delim := "", n.delim
	if n.personal != nil {
		prefix, delim = n.personal.prefix, n.personal.delim
	}
	longest := 0
	for _, ns := range slices.Concat(n.others, n.personalList()) {
		if k := ns.levels(); k > longest && ns.holds(levels) {
			longest, prefix, delim = k, "", ns.delim
		}
	}
	if delim == 0 {
		if len(levels) > 1 {
			return "", errors.New("has levels, but the server has no folder hierarchy (it gives no separator): name a folder of one level")
		}
		return prefix + name, nil
	}
	for _, l := range levels {
		if strings.ContainsRune(l, delim) {
			return "", fmt.Errorf("has the level %q, which holds the server's hierarchy separator %q: the server would read it as more levels (write levels with /, and rename a folder whose name has %q in it)",
				l, string(delim), string(delim))
		}
	}
	return prefix + strings.Join(levels, string(delim)), nil
}

func (n naming) personalList() []namespace {
	if n.personal == nil {
		return nil
	}
	return []namespace{*n.personal}
}

// prefixLevels is the namespace's prefix as configured names write it.
func (ns namespace) prefixLevels() []string {
	p := ns.prefix
	if ns.delim != 0 {
		p = strings.TrimSuffix(p, string(ns.delim))
	}
	if p == "" {
		return nil
	}
	if ns.delim == 0 {
		return []string{p}
	}
	return strings.Split(p, string(ns.delim))
}

func (ns namespace) levels() int { return len(ns.prefixLevels()) }

// holds tells whether a configured name's levels start with the
// namespace's prefix (INBOX in any case).
func (ns namespace) holds(levels []string) bool {
	pl := ns.prefixLevels()
	if len(pl) == 0 || len(levels) <= len(pl) {
		return false
	}
	for i, p := range pl {
		if levels[i] != p && !(i == 0 && strings.EqualFold(p, "INBOX") && levels[0] == "INBOX") {
			return false
		}
	}
	return true
}

// specialUse reads a configured value that names a special use (RFC 6154,
// and RFC 8457's \Important) rather than a folder.
func specialUse(value string) (imap.MailboxAttr, bool, error) {
	if !strings.HasPrefix(value, `\`) {
		return "", false, nil
	}
	for _, a := range []imap.MailboxAttr{imap.MailboxAttrAll, imap.MailboxAttrArchive, imap.MailboxAttrDrafts,
		imap.MailboxAttrFlagged, imap.MailboxAttrImportant, imap.MailboxAttrJunk, imap.MailboxAttrSent, imap.MailboxAttrTrash} {
		if strings.EqualFold(value, string(a)) {
			return a, true, nil
		}
	}
	return "", true, errors.New(`is not a special use (\All, \Archive, \Drafts, \Flagged, \Important, \Junk, \Sent or \Trash)`)
}

// folderList is the server's folders, as LIST gave them.
type folderList []*imap.ListData

// listFolders lists every folder, with its special use where the server
// tells it (LIST RETURN (SPECIAL-USE); servers without SPECIAL-USE, Gmail's
// older XLIST ones among them, may still give the attributes in a plain
// LIST).
func listFolders(c *imapclient.Client) (folderList, error) {
	caps := c.Caps()
	var opts *imap.ListOptions
	if caps.Has(imap.CapSpecialUse) && (caps.Has(imap.CapListExtended) || caps.Has(imap.CapIMAP4rev2)) {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	list, err := c.List("", "*", opts).Collect()
	if err != nil {
		return nil, fmt.Errorf("list folders: %w", err)
	}
	return list, nil
}

func hasAttr(d *imap.ListData, attr imap.MailboxAttr) bool {
	return slices.ContainsFunc(d.Attrs, func(a imap.MailboxAttr) bool { return strings.EqualFold(string(a), string(attr)) })
}

// find returns the folder of that name, or else one whose name differs
// only in case (and exact false); nil when there is neither.
func (l folderList) find(name string) (d *imap.ListData, exact bool) {
	for _, x := range l {
		if hasAttr(x, imap.MailboxAttrNonExistent) {
			continue
		}
		if x.Mailbox == name {
			return x, true
		}
		if d == nil && strings.EqualFold(x.Mailbox, name) {
			d = x
		}
	}
	return d, false
}

// withUse returns the selectable folders marked with a special use.
func (l folderList) withUse(use imap.MailboxAttr) []string {
	var names []string
	for _, x := range l {
		if hasAttr(x, use) && !hasAttr(x, imap.MailboxAttrNoSelect) && !hasAttr(x, imap.MailboxAttrNonExistent) {
			names = append(names, x.Mailbox)
		}
	}
	return names
}

// uses says which special-use folders the server marks, for an error.
func (l folderList) uses() string {
	var out []string
	for _, x := range l {
		for _, a := range x.Attrs {
			if _, ok, err := specialUse(string(a)); ok && err == nil {
				out = append(out, string(a)+" "+x.Mailbox)
			}
		}
	}
	if len(out) == 0 {
		return "it marks no folder with a special use: name a folder instead"
	}
	return "it marks " + strings.Join(out, ", ")
}

// folderError is a configured folder that cannot be used: a mistake in the
// config, which names its key.
func folderError(key, value string, err error) error {
	return &tickets.ValidationError{Field: fmt.Sprintf("%s.%s %q", imapSection, key, value), Message: err.Error()}
}

// resolveFolders finds the server's names of the configured folders,
// creating the processed and set-aside folders when they are not there.
func (f *Fetcher) resolveFolders(c *imapclient.Client) (FolderLayout, error) {
	var out FolderLayout
	n, err := learnNaming(c)
	if err != nil {
		return out, err
	}
	if n.delim != 0 {
		out.Delim = string(n.delim)
	}
	out.NamespaceKnown = n.answered
	if n.personal != nil {
		out.Namespace = n.personal.prefix
	}
	list, err := listFolders(c)
	if err != nil {
		return out, err
	}
	for _, k := range []struct {
		key, value string
		create     bool
	}{{"mailbox", f.cfg.Mailbox, false}, {"processed_folder", f.cfg.ProcessedFolder, true}, {"failed_folder", f.cfg.FailedFolder, true}} {
		r, err := f.resolveFolder(c, n, list, k.key, k.value, k.create)
		if err != nil {
			return out, err
		}
		out.Folders = append(out.Folders, r)
	}
	mailbox := out.Folders[0].Name
	for _, r := range out.Folders[1:] {
		if r.Name == mailbox && !(r.Key == "processed_folder" && f.cfg.MarkSeenOnly) {
			return out, folderError(r.Key, r.Config, fmt.Errorf("is %s, the mailbox read (%s.mailbox): mail cannot be moved from it to itself", r.Name, imapSection))
		}
	}
	return out, nil
}

// resolveFolder finds one configured folder on the server.
func (f *Fetcher) resolveFolder(c *imapclient.Client, n naming, list folderList, key, value string, create bool) (ResolvedFolder, error) {
	r := ResolvedFolder{Key: imapSection + "." + key, Config: value}
	use, isUse, err := specialUse(value)
	if err != nil {
		return r, folderError(key, value, err)
	}
	if isUse {
		if !create {
			return r, folderError(key, value, errors.New("names a special use: name the folder to read"))
		}
		names := list.withUse(use)
		if len(names) == 0 {
			return r, folderError(key, value, fmt.Errorf("the server marks no folder as %s (%s)", use, list.uses()))
		}
		r.Name, r.Note = names[0], "special use "+string(use)
		return r, nil
	}
	name, err := n.serverName(value)
	if err != nil {
		return r, folderError(key, value, err)
	}
	r.Name = name
	if d, exact := list.find(name); d != nil {
		if hasAttr(d, imap.MailboxAttrNoSelect) {
			return r, folderError(key, value, fmt.Errorf("%s is a folder that cannot hold mail (\\Noselect)", d.Mailbox))
		}
		if !exact {
			// Never a second folder that differs only in case: on servers
			// that ignore case it is the same folder, and on the others a
			// person could not tell them apart.
			r.Name, r.Note = d.Mailbox, "exists as "+d.Mailbox
			f.log.Info("imap folder exists under another case; using it", slog.String("key", r.Key), slog.String("folder", d.Mailbox))
		}
		return r, nil
	}
	if !create {
		return r, folderError(key, value, fmt.Errorf("the server has no folder %s", name))
	}
	r.Note, err = createFolder(c, name)
	if err != nil {
		return r, fmt.Errorf("create folder %s (%s): %w", name, r.Key, err)
	}
	f.log.Info("imap folder created", slog.String("key", r.Key), slog.String("folder", name), slog.String("note", r.Note))
	return r, nil
}

// createFolder creates a folder and subscribes to it, so that mail clients
// show it. A folder that another client (another instance of the desk)
// created meanwhile is no error.
func createFolder(c *imapclient.Client, name string) (note string, err error) {
	cerr := c.Create(name, nil).Wait()
	if cerr != nil {
		var ierr *imap.Error
		if !errors.As(cerr, &ierr) || ierr.Code != imap.ResponseCodeAlreadyExists {
			// Not every server says ALREADYEXISTS: look.
			list, lerr := c.List("", name, nil).Collect()
			if lerr != nil {
				return "", errors.Join(cerr, lerr)
			}
			if d, exact := folderList(list).find(name); d == nil || !exact {
				return "", cerr
			}
		}
		return "created meanwhile by another client", nil
	}
	if err := c.Subscribe(name).Wait(); err != nil {
		return "created (not subscribed: " + err.Error() + ")", nil
	}
	return "created", nil
}
