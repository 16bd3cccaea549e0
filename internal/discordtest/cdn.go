package discordtest

import (
	"bytes"
	"image"
	_ "image/gif"  // attachment sizes
	_ "image/jpeg" // attachment sizes
	_ "image/png"  // attachment sizes
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// cdnChannel is the channel ID in URLs of files added with AddFile.
const cdnChannel = "1200000000000000300"

type cdnFile struct {
	name        string
	contentType string
	data        []byte
	hm          string
	expired     bool
	added       time.Time
}

// AddFile serves data on the fake's CDN and returns its URL, shaped like
// Discord's signed attachment URLs:
// http://127.0.0.1:PORT/attachments/CHANNEL/ID/NAME?ex=..&is=..&hm=..&
// The URL only works with its query (as on Discord, where unsigned URLs
// fail); see also ExpireFile.
func (s *Server) AddFile(name string, data []byte) string {
	return s.Attachment(name, data).URL
}

// Attachment serves data on the CDN (see AddFile) and returns the attachment
// object Discord would put in data.resolved.attachments or
// message.attachments: ID, URL, ProxyURL, Filename, Size, ContentType (from
// the extension, else sniffed) and, for images, Width and Height.
func (s *Server) Attachment(name string, data []byte) *discordgo.MessageAttachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(cdnChannel, name, "", data)
}

func (s *Server) addFileLocked(channelID, name, contentType string, data []byte) *discordgo.MessageAttachment {
	if name == "" {
		name = "file"
	}
	if contentType == "" || contentType == "application/octet-stream" {
		contentType = detectType(name, data)
	}
	id := s.ids.next()
	now := time.Now()
	p := "/attachments/" + channelID + "/" + id + "/" + name
	f := &cdnFile{name: name, contentType: contentType, data: data, hm: randomHex(32), added: now}
	s.files[p] = f
	u := s.base + "/attachments/" + channelID + "/" + id + "/" + url.PathEscape(name) +
		"?ex=" + strconv.FormatInt(now.Add(24*time.Hour).Unix(), 16) +
		"&is=" + strconv.FormatInt(now.Unix(), 16) + "&hm=" + f.hm + "&"
	a := &discordgo.MessageAttachment{
		ID: id, URL: u, ProxyURL: u, Filename: name, ContentType: contentType, Size: len(data),
	}
	if strings.HasPrefix(contentType, "image/") {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			a.Width, a.Height = cfg.Width, cfg.Height
		}
	}
	return a
}

// storeUploads puts uploaded files on the CDN. The caller holds s.mu.
func (s *Server) storeUploads(channelID string, files []File) []*discordgo.MessageAttachment {
	var out []*discordgo.MessageAttachment
	for _, f := range files {
		out = append(out, s.addFileLocked(channelID, f.Name, f.ContentType, f.Data))
	}
	return out
}

func detectType(name string, data []byte) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

// ExpireFile makes a CDN URL answer 404 from now on, as Discord's signed
// URLs do once expired. It reports whether the URL was known.
func (s *Server) ExpireFile(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[u.Path]
	if f == nil {
		return false
	}
	f.expired = true
	return true
}

func (s *Server) handleCDN(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.files[r.URL.Path]
	ok := f != nil && !f.expired && r.URL.Query().Get("hm") == f.hm
	s.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("This content is no longer available.")) //nolint:errcheck
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	http.ServeContent(w, r, f.name, f.added, bytes.NewReader(f.data))
}
