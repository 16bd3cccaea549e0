package templates

import (
	"fmt"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"refunddesk/tickets"
)

// funcMap is the helpers a template of one language and flavour sees; the
// language is bound here, so templates write {{money .Amount .Currency}}.
func funcMap(lang, flavour string) texttemplate.FuncMap {
	m := texttemplate.FuncMap{
		"money":   func(amount int64, currency string) string { return tickets.FormatMoney(amount, currency, lang) },
		"count":   func(n any) (string, error) { return formatCount(n, lang) },
		"date":    func(t time.Time) string { return tickets.FormatDate(t, lang) },
		"reason":  func(r tickets.Reason) string { return ReasonName(r, lang) },
		"status":  func(s tickets.Status) string { return StatusName(s, lang) },
		"kind":    func(k tickets.Kind) string { return KindName(k, lang) },
		"missing": func(code string) string { return MissingName(code, lang) },
		"plural":  plural,
		// paragraphs splits a text on blank lines, and each paragraph into
		// its lines, for HTML that keeps the writer's line breaks.
		"paragraphs": paragraphs,
		"has":        slices.Contains[[]string],
		// closePromotionSteps is tickets.ClosePromotionHowTo without its
		// lead-in ("To stop a running promotion:"), for a message that
		// introduces the steps itself.
		"closePromotionSteps": func() string {
			howTo := tickets.ClosePromotionHowTo(lang)
			if _, steps, ok := strings.Cut(howTo, ": "); ok {
				return steps
			}
			return howTo
		},
	}
	if flavour == FlavourDiscord {
		m["md"] = escapeMarkdown
		m["quote"] = quote
	}
	return m
}

func formatCount(n any, lang string) (string, error) {
	switch n := n.(type) {
	case int:
		return tickets.FormatCount(int64(n), lang), nil
	case int64:
		return tickets.FormatCount(n, lang), nil
	case int32:
		return tickets.FormatCount(int64(n), lang), nil
	}
	return "", fmt.Errorf("count: %T is not a whole number", n)
}

// plural picks one or many by n, for English.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func paragraphs(text string) [][]string {
	var out [][]string
	var cur []string
	for _, l := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n") {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// quote makes a text a Discord block quote, line by line.
func quote(text string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " \t\r")
	}
	return strings.Join(lines, "\n")
}

// escapeMarkdown makes a requester-supplied value (a name, an account)
// print as itself in Discord Markdown: no formatting, no masked links, no
// @everyone or @here.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '#', '[', ']', '(', ')', '<', ':', '-':
			b.WriteByte('\\')
		case '\n', '\r':
			r = ' '
		}
		b.WriteRune(r)
	}
	out := b.String()
	for _, m := range []string{"@everyone", "@here"} {
		out = strings.ReplaceAll(out, m, "@\u200b"+m[1:])
	}
	return out
}

// KindName is a ticket kind in words.
func KindName(k tickets.Kind, lang string) string {
	id := normalizeLanguage(lang) == tickets.LangIndonesian
	switch k {
	case tickets.KindRefund:
		if id {
			return "pengembalian dana"
		}
		return "refund"
	case tickets.KindRevocation:
		if id {
			return "pencabutan izin penggunaan konten"
		}
		return "withdrawal of a content authorization"
	}
	return string(k)
}

// ReasonName is a refund reason in words, as a requester would say it.
func ReasonName(r tickets.Reason, lang string) string {
	id := normalizeLanguage(lang) == tickets.LangIndonesian
	pick := func(en, idn string) string {
		if id {
			return idn
		}
		return en
	}
	switch r {
	case tickets.ReasonUnderDelivery:
		return pick("the promotion reached far fewer people than promised", "jangkauan promosi jauh di bawah perkiraan")
	case tickets.ReasonTechnicalError:
		return pick("a technical problem (the promotion did not run, or showed errors)", "kendala teknis (promosi tidak berjalan atau muncul error)")
	case tickets.ReasonRejected:
		return pick("the promotion was rejected in review after you paid", "promosi ditolak saat peninjauan setelah dibayar")
	case tickets.ReasonStoppedByPlatform:
		return pick("the platform stopped the promotion", "promosi dihentikan oleh platform")
	case tickets.ReasonDuplicateCharge:
		return pick("you were charged twice", "pembayaran terpotong dua kali")
	case tickets.ReasonClosedEarly:
		return pick("you closed the promotion early", "Anda menghentikan promosi lebih awal")
	case tickets.ReasonWrongVideo:
		return pick("the wrong video was promoted", "video yang dipromosikan salah")
	case tickets.ReasonChangedMind:
		return pick("you changed your mind", "Anda berubah pikiran")
	case tickets.ReasonOther:
		return pick("another reason", "alasan lain")
	}
	return string(r)
}

// StatusName is a ticket status in words, from the requester's side.
func StatusName(s tickets.Status, lang string) string {
	id := normalizeLanguage(lang) == tickets.LangIndonesian
	pick := func(en, idn string) string {
		if id {
			return idn
		}
		return en
	}
	switch s {
	case tickets.StatusNew:
		return pick("received", "diterima")
	case tickets.StatusNeedsInfo:
		return pick("waiting for information from you", "menunggu informasi dari Anda")
	case tickets.StatusInReview:
		return pick("being reviewed by our team", "sedang ditinjau oleh tim kami")
	case tickets.StatusWaitingPlatform:
		return pick("forwarded to the platform", "diteruskan ke platform")
	case tickets.StatusApproved:
		return pick("approved", "disetujui")
	case tickets.StatusDenied:
		return pick("not approved", "tidak disetujui")
	case tickets.StatusResolved:
		return pick("completed", "selesai")
	case tickets.StatusClosed:
		return pick("closed", "ditutup")
	}
	return string(s)
}

// Missing codes, as tickets.Service.Missing lists them.
const (
	MissingOrder        = "order"
	MissingOrderUnknown = "order_unknown"
	MissingAccount      = "account"
	MissingReason       = "reason"
	MissingEvidence     = "evidence"
)

// MissingCodes lists every code MissingName knows.
func MissingCodes() []string {
	return []string{MissingOrder, MissingOrderUnknown, MissingAccount, MissingReason, MissingEvidence}
}

// MissingName says what a missing code asks the requester for.
func MissingName(code string, lang string) string {
	id := normalizeLanguage(lang) == tickets.LangIndonesian
	pick := func(en, idn string) string {
		if id {
			return idn
		}
		return en
	}
	switch code {
	case MissingOrder:
		return pick("the order number of your promotion (a long string of digits)",
			"nomor pesanan promosi Anda (berupa deretan angka yang panjang)")
	case MissingOrderUnknown:
		return pick("a correct order number: the one you sent is not in our records, so please check it and send it again",
			"nomor pesanan yang benar: nomor yang Anda kirim tidak ditemukan di catatan kami, mohon periksa kembali lalu kirimkan lagi")
	case MissingAccount:
		return pick("the name of your account (@username)",
			"nama akun Anda (@username)")
	case MissingReason:
		return pick("the reason for your request (for example: far fewer views than promised, the promotion did not run, or you were charged twice)",
			"alasan permintaan Anda (misalnya jangkauan jauh di bawah perkiraan, promosi tidak berjalan, atau pembayaran terpotong dua kali)")
	case MissingEvidence:
		return pick("evidence: a screenshot of the promotion's results, of the error, or of the payment receipt",
			"bukti berupa tangkapan layar (screenshot) hasil promosi, pesan error, atau bukti pembayaran")
	}
	return code
}
