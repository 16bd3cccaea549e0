package mail

import (
	"mime"
	"regexp"
	"strings"

	"refunddesk/tickets"
)

// Automatic mail is what a machine sent: delivery reports, abuse reports,
// read receipts, auto-replies, list traffic and list managers' notices,
// notifications from no-reply addresses. None of it is ever made a ticket
// or answered; a bounce of the desk's own mail is recorded on its ticket.
//
// It is recognised by what the mail's structure and headers say first (a
// report part, Auto-Submitted and its older cousins, an empty envelope
// sender, a mail system's or a list manager's address); words only count
// together with such a sign (a bounce's wording from a mail system), or a
// subject and a text that both read as an auto-reply.

// sender is what a mail's envelope and From say about who sent it.
type sender struct {
	null   bool   // Return-Path <>, From <>, or no From and Return-Path <>
	daemon string // the From address when it is a mail system's (mailer-daemon, postmaster)
	role   string // the From address when it is a role address (noreply, a list manager)
}

var (
	// daemonRe: a mail system's local part.
	daemonRe = regexp.MustCompile(`^(?:mailer[-_.]?daemon|mail[-_.]?daemon|post[-_.]?master|mdaemon)(?:[-+_.].*)?$`)
	// daemonNameRe: the display names mail systems sign their reports with.
	daemonNameRe = regexp.MustCompile(`(?i)^(?:mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster|mail administrator|courier mail server\b)`)
	// roleRe: no-reply senders and list managers, by the local part.
	// A list manager's owner and request addresses are only its own
	// forms: "list-owner", "list+owners" (Google Groups), "owner-list",
	// "list-request"; "home.owner" is a person's.
	roleRe = regexp.MustCompile(`^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|bounces?|listserv|majordomo|sympa|mailman|ezmlm|auto[-_.]?reply|autoresponder|owner-[^@]+)(?:[-+_.].*)?$` +
		`|^.+[-+_.](?:no[-_.]?reply|bounces?)$|^.+[-+](?:owners?|request)$`)
)

// senderOf reads the mail's sender signs.
func senderOf(t *mimeTree, m *Message) sender {
	var s sender
	rp := strings.ReplaceAll(strings.TrimSpace(t.get("Return-Path")), " ", "")
	from := strings.TrimSpace(t.get("From"))
	nullFrom := strings.HasSuffix(strings.ReplaceAll(from, " ", ""), "<>") || strings.HasSuffix(from, "<@>")
	s.null = rp == "<>" || nullFrom
	if m.From == nil {
		return s
	}
	addr := strings.ToLower(m.From.Address)
	local, _, _ := strings.Cut(addr, "@")
	switch {
	case daemonRe.MatchString(local) || daemonNameRe.MatchString(strings.TrimSpace(m.From.Name)):
		s.daemon = addr
	case roleRe.MatchString(local):
		s.role = addr
	}
	return s
}

// reportType is the kind of report a mail is (RFC 6522): delivery-status,
// feedback-report, disposition-notification …, by its report parts first,
// else its multipart/report's report-type; "" when it is none.
func reportType(t *mimeTree) string {
	kind := ""
	t.root.walk(func(p *mimePart) {
		if kind != "" {
			return
		}
		switch p.contentType {
		case "message/delivery-status", "message/global-delivery-status":
			kind = "delivery-status"
		case "message/feedback-report":
			kind = "feedback-report"
		case "message/disposition-notification", "message/global-disposition-notification":
			kind = "disposition-notification"
		}
	})
	if kind != "" {
		return kind
	}
	if mt, params, err := mime.ParseMediaType(t.get("Content-Type")); err == nil && mt == "multipart/report" {
		if kind = strings.ToLower(params["report-type"]); kind == "" {
			kind = "unknown"
		}
	}
	return kind
}

// Words of an auto-reply, in its subject and in its text.
var (
	// The subject must begin with an auto-reply's marker: a subject that
	// only speaks of a vacation ("Vacation package refund") is a person's.
	autoSubjectRe = regexp.MustCompile(`(?i)^\s*(?:out of (?:the )?office\b|automatic reply\b|auto(?:matic)?[- ]?(?:reply|response)\b|autoreply\b|auto\s*:|away\s*:|away from (?:my |the )?(?:e-?mail|mail|office|desk)\b|(?:on )?(?:vacation|holiday|leave)\s*:|ooo\b|abwesenheit|réponse automatique|respuesta automática|risposta automatica|balasan otomatis|pesan otomatis|jawaban otomatis|(?:sedang )?cuti\s*:|sedang cuti\b|di luar kantor|tidak di kantor)`)
	autoTextRe    = newPattern(`out of (?:the )?office|i am (?:currently )?(?:away|out|on leave)|i'm (?:currently )?(?:away|out of|on leave)|on (?:annual |maternity |sick )?leave|on (?:vacation|holiday)|limited access to (?:my )?e-?mail|(?:reply|respond|get back to you)[^.]{0,40}(?:when|upon|after|once) (?:i|my) return|this is an automat(?:ed|ic) (?:reply|response|message)|auto-?reply|sedang cuti|sedang (?:tidak berada|berada di luar|di luar)|di luar kantor|tidak (?:berada )?di kantor|balasan otomatis|pesan otomatis|dikirim secara otomatis|(?:membalas|menghubungi|merespons?|menjawab)[^.]{0,50}(?:setelah|sekembalinya|saat|ketika) saya (?:kembali|masuk)`, 1)
)

// Words of an auto-reply on their own (no header says so).
var (
	// autoMarkerRe: a subject that is an auto-reply's marker, alone or
	// before the subject it answers ("Out of Office", "Auto: Re: …",
	// "Di luar kantor: …"); not "Out of office hours support?".
	autoMarkerRe = regexp.MustCompile(`(?i)^\s*(?:(?:automatic\s+reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|out\s+of\s+(?:the\s+)?office|` +
		`balasan\s+otomatis|pesan\s+otomatis|jawaban\s+otomatis|respons\s+otomatis|di\s+luar\s+kantor|sedang\s+cuti|sedang\s+libur|` +
		`abwesenheit|réponse\s+automatique|respuesta\s+automática|risposta\s+automatica|fuera\s+de\s+la\s+oficina)\s*(?:[:\-–(\[]|$)` +
		// Short markers only before a colon or alone: "Auto:", not "Auto-renew".
		`|(?:auto|ooo|cuti)\s*(?::|$))`)
	// awayNowRe: the writer says they are away now (not "I was on leave").
	awayNowRe = regexp.MustCompile(`\b(?:i\s+am|i'm|i’m|im|i\s+will\s+be|i'll\s+be)\s+(?:currently\s+|now\s+|presently\s+)?(?:away|out|off|on\s+(?:annual\s+|maternity\s+|paternity\s+|sick\s+|parental\s+|medical\s+|study\s+|compassionate\s+|bereavement\s+)?leave|on\s+(?:vacation|holiday|holidays|a\s+break|a\s+(?:business\s+)?trip|business(?:\s+travel)?|assignment|the\s+road|(?:a\s+)?sabbatical|(?:the\s+)?(?:umrah|umroh|hajj|haj|pilgrimage))|out\s+of\s+(?:the\s+)?office|travel(?:l)?ing|abroad|overseas|offline|unavailable|ooo|` +
		// "I'm at the Creator Economy Expo in Las Vegas until …", "I am
		// recovering from surgery", "I'm performing umrah".
		`(?:[a-z]+ing\s+)?(?:at|attending)\s+(?:the\s+|a\s+|an\s+)?(?:[\w'’&.-]+\s+){0,5}?(?:expo|conference|summit|trade\s*show|convention|(?:trade|craft|book|job|food|art)\s+fair|retreat|festival|offsite|off-site|congress|workshop|training|course|bootcamp|seminar)|on\s+(?:a\s+|an\s+)?(?:[\w'’-]+\s+){0,2}?(?:training(?:\s+course)?|course|bootcamp)|on\s+(?:a\s+)?(?:film\s+|photo\s+|video\s+)?(?:shoot|location)|recovering|recuperating|in\s+(?:the\s+)?hospital|performing\s+(?:the\s+)?(?:umrah|umroh|hajj|haj))\b` +
		`|\b(?:currently|presently)\s+(?:away|travel(?:l)?ing|abroad|overseas|on\s+(?:annual\s+|parental\s+|maternity\s+|sick\s+)?leave|on\s+(?:vacation|holiday|a\s+(?:business\s+)?trip|business)|out\s+of\s+(?:the\s+)?office)\b` +
		`|\b(?:saat\s+ini|sekarang|hari\s+ini)\s+(?:saya\s+|kami\s+)?(?:sedang|lagi|masih)\s+(?:dalam\s+)?(?:cuti|libur|liburan|berlibur|dinas|perjalanan|bertugas|di\s+luar)` +
		`|\b(?:saya|aku|sy|gue|gw|kami)\s+(?:sedang|lagi|masih|akan|sdg|lg)\s+(?:dalam\s+|ada\s+|melakukan\s+|menunaikan\s+|menjalankan\s+|menjalani\s+|berangkat\s+|mengikuti\s+|ikut\s+|ikutan\s+|mendampingi\s+|menemani\s+)?(?:ibadah\s+|masa\s+)?(?:syuting|shooting|liputan|diklat|pelatihan|training|kursus|bootcamp|bimtek|seminar|lokakarya|workshop|pendidikan|cuti|libur|liburan|berlibur|dinas|perjalanan|bertugas|tugas\s+luar|di\s+luar|tidak\s+(?:di|berada|masuk)|berada\s+di\s+luar|off|ooo|izin|mudik|pulang\s+kampung|umroh|umrah|haji|sakit|pemulihan|penyembuhan|dirawat|opname|rawat\s+inap|pameran|konferensi)`)
	// limitedRe: the writer says they have only limited access now ("I'm
	// currently on limited access", "saya sedang WFH dengan akses email
	// terbatas"), as awayNowRe says they are away; a pattern, tried only
	// where it can begin and when the text says "limited" or "terbatas".
	limitedRe = newPattern(`\b(?:i\s+am|i'm|i’m|im|i\s+will\s+be|i'll\s+be)\s+(?:currently\s+|now\s+)?(?:on|with|having|working\s+with)\s+(?:very\s+)?limited\s+(?:access|connectivity|internet|signal|e-?mail)`+
		`|\b(?:saya|aku|sy|gue|gw|kami)\s+(?:sedang|lagi|masih|akan|sdg|lg)\s+(?:wfh|work\s+from\s+home|bekerja\s+dari\s+rumah|kerja\s+dari\s+rumah|remote)\s+(?:dengan\s+|dgn\s+|dan\s+|,\s*)?akses\s+(?:email\s+|internet\s+|e-mail\s+)?(?:yang\s+)?terbatas`+
		`|\b(?:saya|aku|sy|gue|gw|kami)\s+(?:sedang|lagi|masih|akan|sdg|lg)\s+(?:dengan\s+|punya\s+|memiliki\s+)?akses\s+(?:email\s+|internet\s+)?(?:yang\s+)?terbatas`+
		// "checking mail only sporadically", "hanya sesekali cek email".
		`|\b(?:checking|reading|checks|reads|check|read)\s+(?:my\s+|our\s+)?(?:e-?mails?|mail|messages|inbox)\s+(?:only\s+)?(?:sporadically|occasionally|intermittently|rarely|infrequently|sparingly|irregularly|now\s+and\s+then|once\s+a\s+day)`+
		`|\b(?:hanya\s+|cuma\s+)?(?:sesekali|jarang|sekali-sekali|sekali-kali)\s+(?:bisa\s+)?(?:cek|ngecek|mengecek|buka|membuka|memeriksa|baca|membaca)\s+(?:e-?mail|surel|pesan|inbox)`+
		// Mail not read for now: "tidak dapat membuka email secara
		// rutin", "belum bisa mengecek email", "unable to check emails
		// regularly", "won't be able to access my mail".
		`|\b(?:tidak|tdk|tak|belum|gak|ga|nggak|ngga)\s+(?:dapat|bisa|sempat)\s+(?:membuka|buka|mengecek|ngecek|cek|membaca|baca|memeriksa|mengakses|akses|memantau)\s+(?:e-?mail|surel|inbox|kotak\s+masuk)`+
		`|\b(?:unable|not\s+be\s+able|won'?t\s+be\s+able|not\s+able|can'?t|cannot)\s+(?:to\s+)?(?:check|read|access|monitor)\s+(?:my\s+|your\s+|the\s+)?(?:e-?mails?|mail|messages|inbox)`, 0)
	// noSignalRe: no signal where the writer is ("hampir tidak ada
	// sinyal", "gak ada sinyal", "with no mobile coverage", "hardly any
	// signal"), or mail read only later ("email baru bisa saya baca dan
	// balas setelah kembali", "I'll only be able to read email once …"),
	// as limitedRe says access is limited. Apart from limitedRe, and tried
	// only when the text has one of noSignalWords or readLaterWords: their
	// branches begin at common words ("tidak", "no", "email").
	noSignalRe = newPattern(`\b(?:hampir\s+|nyaris\s+|sama\s+sekali\s+)?(?:tidak|tdk|tak|gak|ga|nggak|ngga|minim|tanpa|susah|sulit)\s+(?:ada\s+)?(?:sinyal|jaringan|koneksi(?:\s+internet)?|akses\s+internet)\b`+
		`|\b(?:no|little|hardly\s+any|barely\s+any|patchy|without(?:\s+any)?)\s+(?:mobile\s+|phone\s+|cell(?:ular)?\s+|internet\s+)?(?:signal|reception|coverage|connectivity|internet(?:\s+access)?|wi-?fi)\b`, 0)
	noSignalWords = []string{"sinyal", "jaringan", "koneksi", "internet", "signal", "reception", "coverage", "connectivity", "wifi", "wi-fi"}
	readLaterRe   = newPattern(`\b(?:e-?mail|pesan|surel)(?:\s+(?:anda|bapak/ibu|kakak|ini))?\s+baru\s+(?:bisa|dapat|akan)\s+(?:saya\s+|kami\s+|aku\s+)?(?:di)?(?:baca|balas|cek|buka|periksa|tanggapi)`+
		`|\b(?:i'?ll|i\s+will|i\s+can|we'?ll|we\s+will)\s+only\s+(?:be\s+able\s+to\s+)?(?:read|check|see|answer|reply\s+to|respond\s+to)\s+(?:my\s+|your\s+)?(?:e-?mails?|mail|messages?)`, 0)
	readLaterWords = []string{"baru", "only"}
	// notReadRe: the mail named first, then not read by the writer ("email
	// yang masuk belum dapat kami baca", "inbox ini nggak aku buka sama
	// sekali", "pesan di sini tidak saya cek"; "I won't be reading
	// emails", "we are not checking this inbox"), as limitedRe says access
	// is limited. Apart from limitedRe, whose every "email" it would make
	// it try.
	notReadRe = newPattern(`\b(?:e-?mails?|pesan|surel|inbox|kotak\s+masuk)\b(?:\s+[\w-]+){0,3}?\s+(?:belum|tidak|tdk|tak|gak|nggak|ngga|ga|enggak)\s+(?:(?:dapat|bisa|sempat|akan)\s+)?(?:saya|kami|aku|gue|gw|sy)\s+(?:baca|buka|cek|periksa|pantau)\b`+
		`|\b(?:i\s+won'?t|i\s+will\s+not|i\s+am\s+not|i'm\s+not|we\s+won'?t|we\s+will\s+not|we\s+are\s+not|we're\s+not|we\s+aren'?t)\s+(?:be\s+)?(?:reading|checking|opening|monitoring)\s+(?:my\s+|our\s+|this\s+|the\s+|any\s+)?(?:e-?mails?|mail|messages|inbox)`, 0)
	// summonedRe: away on a duty, or away said after another clause
	// ("I've been called up for jury service and will be out of the
	// office", "serving on a jury"), as awayNowRe says it; a pattern, tried
	// only where it can begin.
	summonedRe = newPattern(`\bjury\s+(?:duty|service)\b|\bserving\s+on\s+a\s+jury\b|\b(?:and|so)\s+(?:will|shall)\s+be\s+(?:away|out\s+of\s+(?:the\s+)?office|unavailable|offline)\b`, 0)
	// closedNowRe: a shop, an office or a team closed for a holiday, as
	// awayNowRe says a person is away ("toko kami tutup mulai 24
	// Desember", "our team is closed for the Thanksgiving holiday", "we
	// are closed over Christmas"); a pattern, tried only where it can begin.
	closedNowRe = newPattern(`\b(?:we|we'?re|we\s+are|we\s+will\s+be|we'?ll\s+be|(?:our|the)\s+(?:team|office|offices|shop|store|studio|business|staff|support(?:\s+team)?|customer\s+(?:service|support)(?:\s+team)?|help\s*desk|warehouse)\s+(?:is|are|will\s+be))\s+(?:currently\s+|now\s+|temporarily\s+)?(?:closed|away|unavailable|offline|not\s+available|out\s+of\s+(?:the\s+)?office|on\s+(?:holiday|holidays|vacation|break|a\s+break|leave)|taking\s+(?:a\s+)?(?:short\s+|little\s+|well-earned\s+|well-deserved\s+|holiday\s+|festive\s+)?(?:break|time\s+off|holiday))\b`+
		// "You've reached us outside our business hours", "email Anda kami
		// terima di luar jam kerja".
		`|\boutside\s+(?:of\s+)?(?:our\s+)?(?:normal\s+|regular\s+|usual\s+)?(?:office|business|working|opening|support)\s+hours\b`+
		`|\bdi\s+luar\s+jam\s+(?:kerja|kantor|operasional|layanan|pelayanan)\b`+
		`|\b(?:toko|kantor|tim|layanan|cs|admin|studio|usaha|outlet|gerai|butik|warung|kami)\s+(?:\w+\s+){0,2}?(?:sedang\s+|akan\s+|lagi\s+|masih\s+)?(?:tutup|libur|cuti\s+bersama|tidak\s+beroperasi|offline|tidak\s+melayani)\b`, 0)
	// awayWords and machineWords: what awayNowRe and machineSaysRe cannot
	// match without, looked for as plain strings first.
	awayWords    = []string{"sinyal", "jaringan", "koneksi", "signal", "reception", "coverage", "connectivity", "internet", "wi-fi", "wifi", "shoot", "location", "syuting", "shooting", "liputan", "away", "out", "off", "leave", "abroad", "overseas", "vacation", "holiday", "travel", "unavailable", "ooo", "cuti", "libur", "dinas", "perjalanan", "luar", "tidak", "izin", "mudik", "kampung", "umroh", "umrah", "sakit", "closed", "tutup", "beroperasi", "haji", "pemulihan", "penyembuhan", "dirawat", "opname", "rawat", "recover", "recuperat", "hospital", "sabbatical", "umrah", "hajj", "pilgrimage", "expo", "conference", "summit", "trade", "convention", "fair", "retreat", "festival", "congress", "workshop", "offsite", "off-site", "pameran", "konferensi", "limited", "terbatas", "unavailable", "offline", "break", "outside", "jury", "sporadic", "occasional", "intermittent", "rarely", "infrequent", "sparingly", "irregular", "now and then", "once a day", "sesekali", "jarang", "sekali-", "mail", "surel", "inbox", "kotak masuk", "training", "course", "bootcamp", "seminar", "diklat", "pelatihan", "kursus", "bimtek", "lokakarya", "pendidikan"}
	machineWords = []string{"automat", "otomatis", "generated"}
	// machineSaysRe: a text that says a machine sent it.
	machineSaysRe = regexp.MustCompile(`\bthis\s+is\s+an\s+automat(?:ed|ic)\s+(?:reply|response|message|e-?mail)|\b(?:this|an)\s+(?:e-?mail|message)\s+(?:was|is|has\s+been)\s+(?:sent\s+|generated\s+)?automatically|` +
		`\bauto-?(?:matically\s+)?generated\s+(?:reply|response|message|e-?mail|notification|notice)|(?:pesan|email|e-mail|surel|balasan)\s+ini\s+(?:dikirim|dibuat)\s+(?:secara\s+)?otomatis|\bini\s+(?:adalah\s+)?(?:balasan|pesan|jawaban)\s+otomatis`)
	// awayUntilRe: when they are back, or that they answer then.
	awayUntilRe = regexp.MustCompile(`\b(?:until|till|through|thru|back\s+on|back\s+in|back\s+at|return(?:ing)?\s+(?:on|to\s+the\s+office|to\s+work)|be\s+back|from\s+.{1,24}\s+to|when\s+i(?:'m|’m|\s+am)\s+back|when\s+i\s+return|upon\s+my\s+return|after\s+my\s+return|will\s+(?:reply|respond|get\s+back|answer)|limited\s+access|contact|reach\s+out\s+to|urgent|today|tomorrow|this\s+week|next\s+week)\b` +
		`|\b(?:akses\s+(?:email\s+|internet\s+)?terbatas|baru\s+(?:dapat|bisa|akan)\s+(?:membalas|dibalas|merespons?|menjawab|membaca)|setelah\s+(?:tanggal|tgl)|sampai|sampe|ampe|smp|hingga|s/d|(?:pas|kalau|kalo|klo|abis|habis|setelah)\s+(?:udah\s+|sudah\s+|dah\s+)?(?:balik|pulang|kembali)|(?:aku|saya|gue|gw|sy)\s+bales|s\.d\.?|sd\s+tgl|sekembalinya|sepulangnya|setelah\s+(?:saya|aku)\s+kembali|(?:saya|aku|kami)\s+balas|dibalas|hari\s+kerja\s+berikutnya|next\s+(?:business|working)\s+day|akan\s+dibaca|hubungi|mendesak|darurat|hari\s+ini|besok|minggu\s+ini|minggu\s+depan|` +
		`(?:kembali|masuk|aktif)\s+(?:bekerja\s+|ke\s+kantor\s+|kerja\s+|lagi\s+)?(?:pada|tanggal|tgl|hari|besok|minggu\s+depan)|(?:buka|beroperasi|aktif)\s+kembali|reopen\w*|re-open\w*)\b`)
)

// onlineWhenRe: the writer is online only at times they name, or reads
// mail the next time they are, which says when they will be reachable as
// awayUntilRe does ("I only get online when I fly into town", "we're only
// connected on market days", "I'll only be online on Sundays", "I'll read
// it the next time I'm in town", "saya cuma bisa online kalau turun ke
// kota", "pesan Anda akan saya baca saat saya dapat sinyal"). A pattern,
// tried only when the text has one of onlineWords.
var (
	onlineWhenRe = newPattern(`\bonly\s+(?:ever\s+)?(?:get|go|come|have|be|get\s+to\s+go|can\s+get|manage\s+to\s+get|able\s+to\s+get)\s+(?:back\s+)?(?:online|on\s+line|on\s+the\s+(?:internet|net)|connected|(?:any\s+)?(?:internet|signal|reception|wi-?fi|coverage)(?:\s+access)?)\s+(?:when|whenever|once|on|every|at|if|while|in|after|a\s+few|twice|one\s+day)\b`+
		`|\b(?:i|we)(?:'m|’m|'re|’re|\s+am|\s+are)\s+only\s+(?:online|on\s+line|connected|reachable)\s+(?:when|whenever|once|on|every|at|if|while|in|after|a\s+few|twice|one\s+day)\b`+
		`|\b(?:i'?ll|i’ll|i\s+will|we'?ll|we’ll|we\s+will)\s+(?:read|see|answer|reply\s+to|check|open|look\s+at|get\s+to|pick\s+up)\s+(?:it|them|this|your\s+(?:message|e-?mail|mail|note)|(?:all\s+)?(?:my\s+)?(?:messages|mail|e-?mails))\s+(?:the\s+)?(?:next\s+time|when(?:ever)?|once)\s+(?:i|we)(?:'m|’m|'re|’re|\s+am|\s+are|\s+get|\s+go|\s+come|\s+have)\s+(?:next\s+|back\s+)?(?:online|on\s+line|in\s+town|into\s+town|to\s+town|connected|(?:a\s+)?(?:signal|reception|connection|internet|wi-?fi))`+
		`|\b(?:saya|aku|sy|gue|gw|kami|dan|tapi|tetapi)\s+(?:hanya|cuma|cuman|baru)\s+(?:bisa\s+|dapat\s+|sempat\s+)?(?:online|terhubung(?:\s+(?:ke\s+)?internet)?|(?:dapat|dapet|ada|punya)\s+(?:sinyal|internet|jaringan|wifi|koneksi))\s+(?:kalau|kalo|klo|jika|saat|ketika|waktu|pas|tiap|setiap|seminggu|sebulan|sekali|di)\b`+
		`|\b(?:akan|nanti|baru)\s+(?:saya|aku|kami|sy)\s+(?:baca|balas|buka|cek|jawab)\s+(?:saat|ketika|kalau|kalo|pas|waktu|begitu|setelah)\s+(?:saya|aku|kami|sy)\s+(?:sudah\s+|udah\s+|kembali\s+)?(?:online|ke\s+kota|turun|(?:dapat|dapet|ada)\s+sinyal|terhubung)`, 0)
	onlineWords = []string{"online", "on line", "connected", "connection", "reachable", "internet", "signal", "reception", "wifi", "wi-fi", "coverage", "town",
		"sinyal", "jaringan", "koneksi", "terhubung", "ke kota", "turun"}
)

// goneRe: the mailbox is no longer read, by whoever set it to answer so:
// it is not monitored, its owner left or moved elsewhere, mail to it is not
// read or forwarded ("This mailbox is not monitored", "Jordan has left the
// company", "Alamat email ini sudah tidak aktif", "Email yang dikirim ke
// alamat ini tidak akan dibaca"). A pattern, tried only where it can begin.
var goneRe = newPattern(`\b(?:this|the|our|my)\s+(?:old\s+|previous\s+|former\s+)?(?:mail\s*box|inbox|(?:e-?mail\s+)?address|e-?mail\s+account|e-?mail)\s+(?:is|will\s+be|has\s+been)\s+(?:not|no\s+longer|not\s+being|not\s+currently)\s+(?:being\s+)?(?:monitored|checked|read|in\s+use|active|used|attended|staffed|answered)`+
	`|\b(?:e-?mails?|messages?|mail)\s+(?:sent\s+)?(?:here|to\s+(?:it|me\s+here|this\s+(?:mail\s*box|inbox|(?:e-?mail\s+)?address|account)))\s+(?:(?:are|is)\s+(?:not|no\s+longer)\s+(?:being\s+)?|will\s+(?:not|no\s+longer)\s+(?:be\s+)?|won'?t\s+(?:be\s+)?)(?:read|forwarded|monitored|checked|answered|seen)`+
	`|\b(?:has|have)\s+left\s+(?:the\s+)?(?:company|business|organi[sz]ation|firm|agency)|\bis\s+no\s+longer\s+(?:with\s+(?:the|our|us)|employed|working\s+(?:at|for|with)\s+(?:the|our|us))`+
	`|\b(?:alamat(?:\s+e-?mail|\s+surel)?|e-?mail|surel|kotak\s+masuk)\s+ini\s+(?:sudah\s+|telah\s+|sdh\s+)?(?:tidak|tdk|tak|gak)\s+(?:lagi\s+)?(?:aktif|digunakan|dipakai|dipantau|dibaca|diperiksa|dicek)`+
	`|\b(?:e-?mail|pesan|surel)\s+yang\s+(?:dikirim|masuk|terkirim)\s+(?:ke\s+)?(?:alamat|email|sini)\s+(?:ini\s+)?(?:tidak|tdk|tak)\s+(?:akan\s+)?(?:dibaca|diteruskan|dipantau|diproses|dibalas)`+
	`|\b(?:saya|aku|beliau)\s+(?:sudah|telah|sdh)\s+(?:tidak\s+(?:lagi\s+)?bekerja\s+(?:di|dengan|untuk)|resign\s+dari|keluar\s+dari\s+(?:perusahaan|kantor|tim)|pindah\s+(?:tugas\s+)?(?:ke\s+)?(?:divisi|bagian|departemen|unit|kantor\s+lain|perusahaan\s+lain))`, 0)

// keptForRe: a mailbox kept for something else, which nobody reads: "this
// inbox is used for invoices only and isn't read by a member of staff", "an
// unattended mailbox", "this address cannot receive replies", "your
// message has not been passed on", "Email ini hanya dipakai untuk
// notifikasi dan tidak dibuka oleh admin", "kotak masuk ini khusus tagihan
// dan tidak dipantau", "balasan ke email ini tidak dibaca". Apart from
// goneRe, whose every start it would slow down, and tried only when the
// text has one of keptForWords.
var (
	keptForRe = newPattern(`\b(?:this|the|our)\s+(?:mail\s*box|inbox|(?:e-?mail\s+)?address|e-?mail\s+account|e-?mail)\s+(?:is|are)\s+(?:only\s+)?(?:used|kept|set\s+up|meant|reserved|for)\b[^.!?]{0,80}?\b(?:is\s+not|isn'?t|is\s+never|are\s+not|aren'?t|not|never)\s+(?:being\s+)?(?:read|monitored|checked|seen|answered|staffed|opened)\b`+
		`|\b(?:alamat\s+)?(?:e-?mail|surel|kotak\s+masuk|inbox)\s+ini\s+(?:hanya|cuma|khusus|cuman)\b[^.!?]{0,80}?\b(?:tidak|tdk|tak|gak|nggak|ga|enggak)\s+(?:akan\s+)?(?:dibuka|dibaca|dipantau|dimonitor|dicek|dibalas|diperiksa)`+
		`|\b(?:unattended|unmonitored|send-?only|notifications?-only|outgoing-only)\s+(?:mail\s*box|inbox|(?:e-?mail\s+)?address|e-?mail\s+account)`+
		`|\b(?:this|the|our)\s+(?:mail\s*box|inbox|(?:e-?mail\s+)?address|e-?mail)\s+(?:cannot|can'?t|does\s+not|doesn'?t|is\s+unable\s+to)\s+(?:receive|accept)\s+(?:replies|incoming|e-?mails?|mail|messages)`+
		`|\b(?:replies|responses|e-?mails?|messages?)\s+(?:sent\s+)?to\s+this\s+(?:mail\s*box|inbox|(?:e-?mail\s+)?address|e-?mail)\s+(?:are|is)\s+not\s+(?:read|monitored|seen|answered)`+
		`|\byour\s+(?:message|e-?mail|mail)\s+(?:has\s+not|hasn'?t|will\s+not|won'?t)\s+(?:been\s+|be\s+)?(?:passed\s+on|forwarded|read|seen\s+by)`+
		`|\b(?:alamat\s+)?(?:e-?mail|surel|kotak\s+masuk|inbox)\s+ini\s+(?:tidak|tdk|tak|gak)\s+(?:dapat|bisa)\s+(?:menerima|membalas)\s+(?:balasan|pesan|email)`+
		`|\b(?:balasan|pesan|email)\s+(?:ke|untuk)\s+(?:alamat|email)\s+ini\s+(?:tidak|tdk|tak)\s+(?:akan\s+)?(?:dibaca|diproses|dibalas|ditanggapi|dipantau)`, 0)
	keptForWords = []string{"read", "monitored", "checked", "seen", "answered", "staffed", "opened", "receive", "accept", "passed", "forwarded",
		"unattended", "unmonitored", "send-only", "sendonly", "notification-only", "notifications-only", "outgoing-only",
		"dibuka", "dibaca", "dipantau", "dimonitor", "dicek", "dibalas", "diperiksa", "menerima", "membalas", "diproses", "ditanggapi"}
)

// A helpdesk's acknowledgement, known by its words: that the mail was
// received ("Your request (48213) has been received", "Pesan Anda telah
// kami terima"), with a ticket's number or an instruction a helpdesk gives
// beside it ("##- Please type your reply above this line -##", "Mohon
// tidak membalas email ini", "nomor tiket #KM-20417"). A person who says
// "we received your email" gives neither, or asks for something.
var (
	ackWords = []string{"got here", "sudah sampai", "udah sampai", "telah sampai", "teruskan", "forwarded", "passed", "dicatat", "kami catat", "reached", "made it", "disampaikan", "kami sampaikan", "receiv", "kami terima", "diterima", "menerima", "tercatat", "sudah masuk", "telah masuk", "udah masuk", "logged", "registered", "got your", "landed", "arrived", "reached us", "antre", "antri", "created", "opened", "raised", "dibuat", "dibuka"}
	ackRe    = newPattern(`\byour\s+(?:request|ticket|message|e-?mail|enquiry|inquiry|case|query|submission|complaint)\s+(?:\(?#?[\w-]*\d[\w-]*\)?\s+)?(?:has\s+been|have\s+been|was|is)\s+(?:successfully\s+)?(?:received|logged|created|registered|submitted|recorded|forwarded|passed\s+(?:on|to))`+
		`|\bwe(?:'ve|\s+have)?\s+(?:successfully\s+)?received\s+your\s+(?:request|message|e-?mail|enquiry|inquiry|ticket|case|complaint)`+
		`|\b(?:pesan|email|e-mail|surel|permintaan|tiket|laporan|keluhan|pertanyaan|pengaduan)\s+(?:anda|kakak|kak|bapak/ibu)\s+(?:telah|sudah|udah)\s+(?:kami\s+)?(?:terima|diterima|tercatat|masuk)`+
		`|\bkami\s+(?:telah|sudah)\s+menerima\s+(?:pesan|email|e-mail|permintaan|laporan|keluhan|pertanyaan|pengaduan)`+
		// "Pesanmu sudah masuk antrean", "we've got your message", "your
		// email has landed safely with us".
		`|\b(?:pesan|email|e-mail|surel|permintaan|tiket|laporan|keluhan|pertanyaan|pengaduan)(?:mu|nya|\s+(?:anda|kakak|kak|kamu|bapak/ibu|bpk/ibu))\s+(?:telah|sudah|udah|sdh)\s+(?:kami\s+)?(?:terima|diterima|tercatat|masuk|sampai|catat|dicatat|teruskan|diteruskan|sampaikan|disampaikan)`+
		`|\b(?:sudah|telah|udah)\s+masuk\s+(?:ke\s+)?(?:dalam\s+)?antr(?:ean|ian)`+
		// "A new support ticket has been created for your request",
		// "Tiket baru telah dibuat untuk pesan Anda".
		`|\b(?:a\s+)?(?:new\s+)?(?:support\s+)?(?:ticket|case)\s+(?:\(?#?[\w-]*\d[\w-]*\)?\s+)?(?:has\s+been|was|is)\s+(?:successfully\s+)?(?:created|opened|raised)`+
		`|\btiket\s+(?:baru\s+)?(?:#?[\w-]*\d[\w-]*\s+)?(?:telah|sudah|berhasil)\s+(?:kami\s+)?(?:dibuat|dibuka|terbuat)`+
		`|\bwe(?:'ve|’ve|\s+have)\s+(?:safely\s+)?got\s+your\s+(?:request|message|e-?mail|enquiry|inquiry|ticket|note|query)`+
		`|\byour\s+(?:request|message|e-?mail|enquiry|inquiry|note|query)\s+(?:has\s+|have\s+)?(?:safely\s+)?(?:landed|arrived|reached\s+(?:us|our\s+(?:inbox|mailbox|team|desk))|made\s+it\s+to\s+(?:us|our\s+(?:inbox|mailbox|team|desk))|come\s+through)`+
		// a person's own autoresponder: "a quick note to say it got here",
		// "just letting you know your email arrived safely"
		`|\b(?:say|saying|let\s+you\s+know|letting\s+you\s+know|confirm|confirming)\s+(?:that\s+)?(?:it|your\s+(?:request|message|e-?mail|mail|enquiry|inquiry|note|query))\s+(?:has\s+|have\s+)?(?:safely\s+)?(?:got\s+here|arrived|came\s+through|reached\s+(?:me|us)|made\s+it\s+(?:here|to\s+(?:me|us))|landed)`, 0)
	ackSignRe = newPattern(`(?:nomor|no\.?)\s+(?:tiket|ticket|laporan|referensi|pengaduan|antrean|antrian)|\bticket\s+(?:number|no\.?|id|#)|\b(?:request|ticket|case)\s*(?:\(|#|number|no\.?|id)\s*#?\s*[\w-]*\d|##-|reply\s+above\s+this\s+line`+
		`|\b(?:mohon|harap|please)\s+(?:untuk\s+)?(?:tidak|jangan|do\s+not|don'?t)\s+(?:membalas|balas|reply|respond)|\b(?:do\s+not|don'?t)\s+reply\s+to\s+this|\b(?:support|customer\s+service|service)\s+(?:staff|team|agents?)\b`+
		// the wait told in days: "it can take me 10–14 days to get back to
		// you", "butuh waktu 3-5 hari kerja untuk membalas"
		`|\btake\s+(?:me|us)\s+(?:up\s+to\s+|about\s+|around\s+|roughly\s+)?\d+(?:\s*[–-]\s*\d+)?\s+(?:business\s+|working\s+)?(?:days|hours|weeks)|\b(?:butuh|perlu|memerlukan|membutuhkan)\s+(?:waktu\s+)?\d+(?:\s*[–-]\s*\d+)?\s+(?:hari|jam|minggu)`+
		`|\btim\s+kami\s+akan|\b[1-9]\s*x\s*24\s+jam|\b(?:within|up\s+to)\s+(?:\d+|one|two|three|four|five|a\s+few)\s+(?:business\s+|working\s+)?(?:hours|days)`+
		`|\b(?:paling\s+lambat|maksimal|maks\.?|dalam\s+waktu)\s+\d+\s+(?:hari|jam)(?:\s+kerja)?`+
		// What a helpdesk says of its queue and hours: "we answer in the
		// order they come in", "diteruskan ke bagian terkait", "jam
		// layanan", "(reference #7314)", "tidak perlu mengirim ulang".
		`|\bin\s+the\s+order\s+(?:they|it|we|emails?|messages?|requests?)\s+(?:come|came|arrive|are\s+received|were\s+received|receive)|\breference\s*(?:number|no\.?|id)?\s*[:#]?\s*#?\d`+
		`|\b(?:diteruskan|teruskan|disampaikan)\s+ke\s+(?:bagian|tim|divisi|departemen|unit)\s+(?:terkait|yang\s+bersangkutan)|\bjam\s+(?:layanan|operasional)\b|\bhari\s+kerja\s+berikutnya|\bnext\s+(?:business|working)\s+day`+
		// "bakal bales sesuai urutan masuk", "dibalas berurutan"; "Admin
		// kami online Senin–Sabtu", "our team is available Monday to
		// Friday".
		`|\b(?:sesuai|berdasarkan|menurut)\s+(?:urutan|antrean|antrian|nomor\s+antr(?:ean|ian))|\b(?:dibalas|dijawab|direspon|dibales)\s+(?:secara\s+)?berurutan`+
		`|\b(?:admin|cs|tim|team|staff|agents?|we'?re|we\s+are|(?:our|the)\s+(?:team|office|staff|agents|admins?|shop|store|studio)\s+(?:is|are))(?:\s+kami|\s+kita)?\s+(?:online|aktif|buka|standby|available|open)\s+(?:(?:setiap|tiap|every|from|pada|hari|dari|on)\s+)?(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|weekdays|daily|everyday|jam|pukul|\d)`+
		`|\btidak\s+perlu\s+(?:mengirim|kirim|membuat|bikin)\s+(?:ulang|email\s+baru)|\bnggak\s+perlu\s+bikin\s+email\s+baru|\bno\s+need\s+to\s+(?:resend|send\s+(?:it\s+|this\s+)?again|write\s+again)`, 0)
)

// askingRe: a question put to the reader ("can you …?", "kapan …?"), which
// an auto-reply does not ask.
var askingRe = regexp.MustCompile(`\b(?:can|could|would|will)\s+you\b[^?.!\n]{0,80}\?|\b(?:apakah|bisakah|kapan|gimana|bagaimana|kenapa|mengapa|when|how|why|what|where)\b[^?.!\n]{0,80}\?|\bbisa\s+(?:tolong|dibantu|bantu|dicek|cek)\b[^?.!\n]{0,80}\?`)

// asksSomething reports whether a text asks for something: a refund or a
// revocation, a reason, an order number.
func asksSomething(text string) bool { return asks(text, true) }

// asks is asksSomething; withReasons: a reason's words alone count as
// asking. A helpdesk's acknowledgement and a mailbox nobody reads speak of
// doubled mail and inactive addresses ("nggak perlu bikin email baru
// supaya pesanmu nggak dobel", "alamat ini sudah tidak aktif") without
// complaining of anything, so for them only a request, a question or an
// order counts.
func asks(text string, withReasons bool) bool {
	lower := strings.ToLower(text)
	if score(lower, refundPatterns) >= 3 || score(lower, revocationPatterns) > 0 || withReasons && reasonOf(lower, 3) != "" {
		return true
	}
	if strings.Contains(lower, "?") && askingRe.MatchString(lower) {
		return true // "I'm travelling until Friday; can you tell me where my ticket stands?"
	}
	for _, c := range findOrders("", text, "") {
		if c.score > -20 {
			return true
		}
	}
	return false
}

// Why a mail is automatic (AutoSign.Code), each with the values it names
// (AutoSign.Params): the codes agents read in words when such a mail is
// kept for them (tickets.SetAsideAutomatic's Why, web.set_aside.automatic.<code>).
const (
	AutoDeliveryFailure   = "delivery_failure"    // a delivery failure report
	AutoDeliveryDelay     = "delivery_delay"      // a delivery delay report
	AutoAbuseReport       = "abuse_report"        // an abuse report (ARF)
	AutoReadReceipt       = "read_receipt"        // a read receipt
	AutoReport            = "report"              // another report: Type
	AutoHeader            = "header"              // a header says so: Header, Value
	AutoExchange          = "exchange"            // an Exchange rule or service: Header
	AutoMailingList       = "mailing_list"        // a mailing list: Header
	AutoNullSender        = "null_sender"         // no sender at all
	AutoEmptyEnvelope     = "empty_envelope"      // Return-Path: <>
	AutoMailSystem        = "mail_system"         // a mail system's address: Address
	AutoRoleSender        = "role_sender"         // a no-reply or list manager's address: Address
	AutoWordedSubjectText = "worded_subject_text" // its subject and text read as an auto-reply
	AutoWordedSubject     = "worded_subject"      // its subject is an auto-reply's marker: Subject
	AutoWordedAway        = "worded_away"         // its text says the writer is away
	AutoWordedMachine     = "worded_machine"      // its text says a machine sent it
	AutoWordedModel       = "worded_model"        // the reading model reads its words as an automatic reply's
	// A delivery failure report that changed no ticket (Intake's bounces).
	AutoBounceNoRecipient  = "bounce_no_recipient"  // it names no failed recipient
	AutoBounceNotRequester = "bounce_not_requester" // Recipients, not Ticket's requester
	AutoBounceNoTicket     = "bounce_no_ticket"     // Recipients, no requester of an open ticket
)

// AutoCodes are every AutoSign code.
var AutoCodes = []string{AutoDeliveryFailure, AutoDeliveryDelay, AutoAbuseReport, AutoReadReceipt, AutoReport,
	AutoHeader, AutoExchange, AutoMailingList, AutoNullSender, AutoEmptyEnvelope, AutoMailSystem, AutoRoleSender,
	AutoWordedSubjectText, AutoWordedSubject, AutoWordedAway, AutoWordedMachine, AutoWordedModel,
	AutoBounceNoRecipient, AutoBounceNotRequester, AutoBounceNoTicket}

// AutoSign is why a mail is automatic: a code (AutoCodes) and its values;
// the zero AutoSign is a person's mail.
type AutoSign struct {
	Code   string
	Params tickets.Params
}

// String is the sign in English for logs and Message.Auto: "a read
// receipt", "Precedence: list", "a mailing list (List-Unsubscribe)".
func (a AutoSign) String() string {
	p := func(k string) string { s, _ := a.Params[k].(string); return s }
	switch a.Code {
	case "":
		return ""
	case AutoDeliveryFailure:
		return "a delivery failure report"
	case AutoDeliveryDelay:
		return "a delivery delay report"
	case AutoAbuseReport:
		return "an abuse report (ARF)"
	case AutoReadReceipt:
		return "a read receipt"
	case AutoReport:
		return "a report (" + p("Type") + ")"
	case AutoHeader:
		return p("Header") + ": " + p("Value")
	case AutoExchange:
		return "sent by an Exchange rule or service (" + p("Header") + ")"
	case AutoMailingList:
		return "a mailing list (" + p("Header") + ")"
	case AutoNullSender:
		return "a null sender"
	case AutoEmptyEnvelope:
		return "an empty envelope sender (Return-Path: <>)"
	case AutoMailSystem:
		return "sent by a mail system (" + p("Address") + ")"
	case AutoRoleSender:
		return "sent from " + p("Address")
	case AutoWordedSubjectText:
		return "worded as an automatic reply (subject and text)"
	case AutoWordedSubject:
		return "worded as an automatic reply (subject: " + p("Subject") + ")"
	case AutoWordedAway:
		return "worded as an automatic reply (its text says the writer is away)"
	case AutoWordedMachine:
		return "worded as an automatic reply (its text says a machine sent it)"
	case AutoWordedModel:
		return "worded as an automatic reply (the reading model reads it so)"
	case AutoBounceNoRecipient:
		return "a delivery failure report that names no failed recipient"
	case AutoBounceNotRequester:
		return "a delivery failure report about " + p("Recipients") + ", not " + p("Ticket") + "'s requester"
	case AutoBounceNoTicket:
		return "a delivery failure report about " + p("Recipients") + ", no requester of an open ticket"
	}
	return a.Code
}

// automatic says why a mail was sent by a machine, or "" when a person
// wrote it. offList: the mail came through the desk's own list (a Google
// Group that is the desk's address, say), so what the list adds on the way
// (List-*, Precedence: list or bulk) says nothing of who wrote it.
//
// A list's own headers (List-Id, List-Post, X-Google-Group-Id …) are not
// signs by themselves: a person's mail relayed by a group keeps them.
// Precedence: list or bulk, List-Unsubscribe (a newsletter) and a list
// manager's sender are.
func automatic(t *mimeTree, m *Message, s sender, report string, offList bool) AutoSign {
	h := func(k string) string { return strings.ToLower(strings.TrimSpace(t.get(k))) }
	header := func(name, value string) AutoSign {
		return AutoSign{Code: AutoHeader, Params: tickets.Params{"Header": name, "Value": value}}
	}
	has := func(k string) bool { return len(t.values(k)) > 0 }
	switch {
	case m.Bounce != nil && m.Bounce.Permanent:
		return AutoSign{Code: AutoDeliveryFailure}
	case m.Bounce != nil:
		return AutoSign{Code: AutoDeliveryDelay}
	case report == "feedback-report":
		return AutoSign{Code: AutoAbuseReport}
	case report == "disposition-notification":
		return AutoSign{Code: AutoReadReceipt}
	case report != "":
		return AutoSign{Code: AutoReport, Params: tickets.Params{"Type": report}}
	}
	if v := h("Auto-Submitted"); v != "" && firstWord(v) != "no" {
		return header("Auto-Submitted", v)
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoreply-From", "X-Mail-Autoreply",
		"X-Autogenerated", "X-Fc-Machinegenerated"} {
		if v := h(k); has(k) && v != "no" && v != "false" {
			return header(k, v)
		}
	}
	switch p := h("Precedence"); p {
	case "bulk", "list":
		if !offList {
			return header("Precedence", p)
		}
	case "junk", "auto_reply", "auto-reply":
		return header("Precedence", p)
	}
	if strings.Contains(h("X-Auto-Response-Suppress"), "all") {
		return header("X-Auto-Response-Suppress", h("X-Auto-Response-Suppress"))
	}
	for _, k := range []string{"X-Ms-Exchange-Inbox-Rules-Loop", "X-Ms-Exchange-Generated-Message-Source", "X-Ms-Exchange-Message-Is-Ndr"} {
		if has(k) {
			return AutoSign{Code: AutoExchange, Params: tickets.Params{"Header": k}}
		}
	}
	for _, k := range []string{"List-Unsubscribe", "X-Mailman-Version", "X-List-Administrivia"} {
		if has(k) && !offList {
			return AutoSign{Code: AutoMailingList, Params: tickets.Params{"Header": k}}
		}
	}
	switch {
	case s.null && m.From == nil:
		return AutoSign{Code: AutoNullSender}
	case s.null:
		return AutoSign{Code: AutoEmptyEnvelope}
	case s.daemon != "":
		return AutoSign{Code: AutoMailSystem, Params: tickets.Params{"Address": s.daemon}}
	case s.role != "":
		return AutoSign{Code: AutoRoleSender, Params: tickets.Params{"Address": s.role}}
	}
	lower, text := strings.ToLower(m.NewText), ""
	collapsed := func() string { // the text, lower case, on one line: made when needed
		if text == "" {
			text = collapse(lower)
		}
		return text
	}
	if autoSubjectRe.MatchString(m.Subject) && autoTextRe.MatchString(collapsed()) && !asksSomething(m.NewText) {
		return AutoSign{Code: AutoWordedSubjectText}
	}
	// Without a header that says so, by its words alone: a subject that is
	// only an auto-reply's marker, or a text that says its writer is away
	// until a time; never a mail that asks for something (a person back
	// from leave, or writing from it, with a request).
	if autoMarkerRe.MatchString(m.Subject) && !asksSomething(m.NewText) {
		return AutoSign{Code: AutoWordedSubject, Params: tickets.Params{"Subject": m.Subject}}
	}
	if containsWord(lower, awayWords) && len(collapsed()) < 800 && (awayNowRe.MatchString(text) || closedNowRe.MatchString(text) || limitedRe.MatchString(text) || containsWord(lower, noSignalWords) && noSignalRe.MatchString(text) || containsWord(lower, readLaterWords) && readLaterRe.MatchString(text) || notReadRe.MatchString(text) || summonedRe.MatchString(text)) && awayUntilRe.MatchString(text) && !asksSomething(m.NewText) {
		return AutoSign{Code: AutoWordedAway}
	}
	// Online only at times the writer names, or reading mail the next
	// time they are: when they are reachable, as an away's "until"; as
	// for the away, never one that asks.
	if containsWord(lower, onlineWords) && len(collapsed()) < 800 && onlineWhenRe.MatchString(text) && !asksSomething(m.NewText) {
		return AutoSign{Code: AutoWordedAway}
	}
	// A mailbox nobody reads any more: its owner left or moved, mail to it
	// is not read or forwarded; as for the away, never one that asks.
	if len(collapsed()) < 800 && (goneRe.MatchString(text) || containsWord(lower, keptForWords) && keptForRe.MatchString(text)) && !asks(m.NewText, false) {
		return AutoSign{Code: AutoWordedAway}
	}
	if containsWord(lower, machineWords) && len(collapsed()) < 800 && machineSaysRe.MatchString(text) && !asksSomething(m.NewText) {
		return AutoSign{Code: AutoWordedMachine}
	}
	// A helpdesk's acknowledgement: the mail says it was received, and
	// gives a ticket's number or a helpdesk's instruction beside it.
	if containsWord(lower, ackWords) && len(collapsed()) < 800 && ackRe.MatchString(text) && ackSignRe.MatchString(text) && !asks(m.NewText, false) {
		return AutoSign{Code: AutoWordedMachine}
	}
	return AutoSign{}
}

// listID is the id of the list a mail came through (RFC 2919: the part of
// List-Id between < >), lower case; "" when it names none.
func listID(t *mimeTree) string {
	v := t.get("List-Id")
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func firstWord(s string) string {
	if f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ';' || r == '(' }); len(f) > 0 {
		return f[0]
	}
	return ""
}

// collapse turns every run of white space (the ASCII white space of a
// regular expression's \s: tab, newline, form feed, carriage return,
// space) into one space, as spaces.ReplaceAllString(s, " ") did at a
// fraction of its cost: it is made for most mails.
func collapse(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			b.WriteByte(s[i])
			continue
		}
		b.WriteByte(' ')
		for i+1 < len(s) && isSpace(s[i+1]) {
			i++
		}
	}
	return b.String()
}
