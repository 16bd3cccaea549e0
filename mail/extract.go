package mail

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"refunddesk/tickets"
)

// Request is what a mail asks for, as far as the text tells.
type Request struct {
	Kind tickets.Kind
	// KindStated: the mail said what it wants (else Kind is the default, refund).
	KindStated bool
	Account    string
	Order      string
	Reason     tickets.Reason
	Language   string
	// Details are the sender's own words this time.
	Details string
	// ThreadRef is the ticket the mail answers (RD-n), from the subject or
	// from a Message-ID of ours it replies to.
	ThreadRef string
	// Orders are the order-number candidates, the chosen one first.
	Orders []string
	// Sources says where each field was found (text, signature, forwarded).
	Sources tickets.Sources
	// Guessed names the fields ("kind", "reason") the reading model gave
	// where the rules read none or another: the agent is to check them.
	Guessed []string
}

// OrderBook looks orders up in the promotion records, to prefer a known one
// among several candidates and to check the account against it.
type OrderBook interface {
	Promotion(ctx context.Context, order string) (*tickets.Promotion, error)
}

// Understand reads a request out of a mail: kind, account, order, reason,
// language, and the ticket it answers. ourDomain is the domain of the
// desk's own Message-IDs.
//
// Fields come from the subject, the new text and a forwarded message (the
// sender's evidence); never from the quoted history of a reply, which is the
// desk's own mail. A reply's subject repeats the original's, so it is not
// read either.
func Understand(ctx context.Context, m *Message, book OrderBook, ourDomain string) Request {
	return readRequest(m, ourDomain).resolve(ctx, book)
}

// reading is a request as a mail's words give it, before its order numbers
// are looked up in the promotion records: all of Understand that needs no
// store, so that the intake does it where it parses the mail, beside the
// batch before being taken in, rather than in the batch's transaction.
type reading struct {
	req    Request // without its order and account
	domain string  // the desk's Message-ID domain it was read for
	auto   bool    // automatic mail asks for nothing
	// orders are the order-number candidates as found; fresh, signed and
	// forwarded the account names of the new text, of the sender's
	// signature or sign-off, and of a forwarded message.
	orders                   []orderCandidate
	fresh, signed, forwarded []accountCandidate
}

func readRequest(m *Message, ourDomain string) *reading {
	return readRequestWith(m, ourDomain, shippedModels())
}

// readRequestWith is readRequest with the reading model given.
func readRequestWith(m *Message, ourDomain string, models readingModels) *reading {
	req := Request{Details: m.NewText, Kind: tickets.KindRefund}
	req.ThreadRef = threadRef(m, ourDomain)
	if m.Bounce != nil && req.ThreadRef == "" {
		if id, ok := OurTicketID(m.Bounce.OriginalMessageID, ourDomain); ok {
			req.ThreadRef = tickets.FormatRef(id)
		}
	}
	reply := req.ThreadRef != "" || len(m.InReplyTo) > 0
	subject := cleanSubject(m.Subject)
	if reply {
		subject = ""
	}
	main := strings.TrimSpace(subject + "\n" + m.NewText)
	lang := main
	switch {
	case strings.TrimSpace(m.NewText) == "":
		lang = main + "\n" + m.Forwarded
	case forwardSubjectRe.MatchString(m.Subject):
		lang = m.NewText // a forward's subject is the forwarded mail's, not the sender's words
	}
	req.Language = tickets.DetectLanguage(lang)
	r := &reading{domain: ourDomain}
	if m.Auto != "" {
		r.req, r.auto = req, true
		return r // automatic mail asks for nothing
	}

	r.orders = findOrders(subject, m.NewText, m.Forwarded)
	if forwardSubjectRe.MatchString(m.Subject) {
		// A forward's subject is the forwarded mail's ("Fwd: Order 7301…
		// stopped"): what it gives comes from the forwarded message.
		for i := range r.orders {
			if r.orders[i].fromSubject {
				r.orders[i].src = tickets.SourceForwarded
			}
		}
	}
	body, signoff := splitSignOff(m.NewText)
	r.fresh = accountCandidates(strings.TrimSpace(subject + "\n" + body))
	r.signed = append(signatureCandidates(signoff), signatureCandidates(m.Signature)...)
	r.forwarded = append(accountCandidates(m.Forwarded), greetingCandidates(m.Forwarded)...)

	lower := plainQuotes(strings.ToLower(main))
	fwd := plainQuotes(strings.ToLower(m.Forwarded))
	all := lower + "\n" + fwd
	in := readIntent(lower, fwd)
	rev := in.revocation
	ref := in.refund + in.forwarded
	// A reply adds to a ticket that already has its reason: there the
	// reason counts when the reply states a problem plainly (one of the
	// reason's words, not a remark such as "thanks").
	req.Reason = ""
	reasonSource := tickets.SourceText
	switch {
	case reply && evidenceNoteRe.MatchString(lower) && ref < 3:
		// "Ini ss nya kak, yg views cuma 2.300 itu": the evidence asked
		// for, with a remark; the ticket has its reason. A sentence of its
		// own that states the problem still counts ("saya tidak sengaja
		// bayar dua kali. Struknya sudah saya lampirkan").
		req.Reason = reasonOf(withoutEvidenceNotes(lower)+"\n"+fwd, 3)
	case reply:
		// A reply that states the problem in a few words ("iklannya distop
		// tapi saldo belum balik") fills the reason a ticket lacks.
		req.Reason = reasonOf(all, 3)
	default:
		req.Reason = reasonOf(all, 1)
	}
	own := lower // the sender's own words: a forward's subject is the forwarded mail's
	if forwardSubjectRe.MatchString(m.Subject) {
		own = plainQuotes(strings.ToLower(m.NewText))
	}
	if req.Reason != "" && m.Forwarded != "" && reasonScore(own, req.Reason) == 0 {
		reasonSource = tickets.SourceForwarded
	}
	req.Reason = adjustReason(req.Reason, all)
	declined := rev == 0 && ref < 3 && containsWord(lower, declineWords) && score(lower, moneyDeclinedRe) > 0
	if req.Reason != "" && declined {
		// "I do not want money from anybody": a story of what went wrong
		// (a video still in someone's advert) from a writer who declines
		// money gives no refund's reason, and asks for no refund.
		req.Reason = ""
	}
	if !reply && (rev == 0 || rev < ref) {
		// The reading model, where the rules read a refund or nothing in a
		// new request: a revocation told as a story, or a refund's reason
		// worded as nobody wrote down (model.go).
		if k, margin := models.kind.classify(m.modelFeatures()); k == string(tickets.KindRevocation) && margin >= kindMargin {
			rev, req.Reason = ref+1, ""
			req.Guessed = append(req.Guessed, "kind")
		} else if req.Reason == "" && !declined {
			if r, margin := models.reason.classify(m.modelFeatures()); r != "" && r != noReasonClass && margin >= reasonMargin {
				req.Reason = tickets.Reason(r)
				req.Guessed = append(req.Guessed, "reason")
				reasonSource = tickets.SourceText
				if m.Forwarded != "" {
					// the sender's own words alone must say it, or the
					// forwarded message gave it
					ownSubject := subject
					if forwardSubjectRe.MatchString(m.Subject) {
						ownSubject = ""
					}
					if o, own := models.reason.classify(modelFeatures(ownSubject, m.NewText, "")); o != r || own < reasonMargin {
						reasonSource = tickets.SourceForwarded
					}
				}
			}
		}
	}
	if reply && (rev == 0 || rev < ref) && req.Reason == "" && !declined && !evidenceNoteRe.MatchString(lower) && modelWordCount(m.NewText) >= replyWords {
		// A reply that tells its problem at some length ("the clip they
		// promoted is my cousin's wedding, not the dive") where the rules
		// read no reason: the model, by a wider margin than on a new
		// request, as a short reply (the evidence sent, an order
		// corrected, "terlampir bukti transfer dan tangkapan layar
		// statistiknya") reads as anything.
		if r, margin := models.reason.classify(m.modelFeatures()); r != "" && r != noReasonClass && margin >= replyReasonMargin {
			req.Reason, reasonSource = tickets.Reason(r), tickets.SourceText
			req.Guessed = append(req.Guessed, "reason")
		}
	}
	src := tickets.Sources{}
	switch {
	case rev > 0 && rev >= ref:
		req.Kind, req.KindStated = tickets.KindRevocation, true
		req.Reason = ""
		src["kind"] = tickets.SourceText
	case ref >= 3 || req.Reason != "":
		// Asking for money back, or giving a reason for it; a word such as
		// "paid" alone states nothing.
		req.Kind, req.KindStated = tickets.KindRefund, true
		src["kind"] = tickets.SourceText
		if in.refund < 3 && reasonSource == tickets.SourceForwarded {
			src["kind"] = tickets.SourceForwarded // only the forwarded notice says it
		}
	}
	if req.Reason != "" {
		src["reason"] = reasonSource
	}
	req.Sources = src
	r.req = req
	return r
}

// plainQuotes writes curly apostrophes as the straight one the reading's
// expressions spell ("don’t" as "don't").
func plainQuotes(s string) string {
	if !strings.Contains(s, "’") && !strings.Contains(s, "‘") {
		return s
	}
	return strings.NewReplacer("’", "'", "‘", "'").Replace(s)
}

// resolve looks the order candidates up in book and completes the request:
// the order (one on record first), and the account (the one the order's
// record names, when the mail gives it). A reading can be resolved again.
func (r *reading) resolve(ctx context.Context, book OrderBook) Request {
	req := r.req
	if r.auto {
		return req
	}
	req.Sources = tickets.Sources{}
	for k, v := range r.req.Sources {
		req.Sources[k] = v
	}
	orders := rankOrders(ctx, book, r.orders)
	for _, c := range orders {
		req.Orders = append(req.Orders, c.digits)
	}
	var record *tickets.Promotion
	if len(orders) > 0 {
		req.Order = orders[0].digits
		req.Sources["order"] = orders[0].src
		record = orders[0].record
	}
	var from tickets.Source
	req.Account, from = chooseAccount(r.fresh, r.signed, r.forwarded, record)
	if req.Account != "" {
		req.Sources["account"] = from
	}
	return req
}

var (
	subjectPrefixRe = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg|balas|bls|tr|trs|rv|sv|vs)\s*(\[\d+\])?\s*:\s*)+`)
	refRe           = regexp.MustCompile(`(?i)\[\s*RD-(\d+)\s*\]`)
)

func cleanSubject(s string) string { return strings.TrimSpace(subjectPrefixRe.ReplaceAllString(s, "")) }

// threadRef finds the ticket a mail answers: [RD-n] in the subject, or one
// of our Message-IDs (rd.<ticket>.<n>@domain) in In-Reply-To or References.
func threadRef(m *Message, ourDomain string) string {
	if mm := refRe.FindStringSubmatch(m.Subject); mm != nil {
		return "RD-" + strings.TrimLeft(mm[1], "0")
	}
	for _, id := range append(append([]string(nil), m.InReplyTo...), m.References...) {
		if t, ok := OurTicketID(id, ourDomain); ok {
			return tickets.FormatRef(t)
		}
	}
	return ""
}

// OurTicketID reads the ticket id out of one of the desk's Message-IDs.
func OurTicketID(msgID, ourDomain string) (int64, bool) {
	local, domain, ok := strings.Cut(strings.Trim(msgID, "<>"), "@")
	if !ok || (ourDomain != "" && !strings.EqualFold(domain, ourDomain)) {
		return 0, false
	}
	parts := strings.Split(local, ".")
	if len(parts) < 3 || parts[0] != "rd" {
		return 0, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	return id, err == nil && id > 0
}

// An order number: a run of digits, with the spaces and dashes people type
// inside it, 15 to 25 digits long once they are taken out.
var (
	digitRunRe = regexp.MustCompile(`\d(?:[ \-.]?\d){14,30}`)
	urlRe      = regexp.MustCompile(`(?i)\b(https?://|www\.)[^\s<>()"]+`)
	orderLabel = regexp.MustCompile(`(?i)(order|pesanan|no\.?\s*(order|pesanan|pemesanan)|nomor|order\s*(id|no|number|#)|id\s*(order|pesanan)|invoice|transaksi|transaction|promosi|promotion|kode)\W{0,12}$`)
	otherLabel = regexp.MustCompile(`(?i)(video|vid|rekening|rek\.?|bank|account\s*number|acc\.?\s*no|no\.?\s*hp|hp|telp|telepon|phone|wa|whatsapp|nik|ktp|npwp|kartu|card|` +
		`\b(virtual\s*account|va|campaign(\s*id)?|kampanye|ad\s*id|amount(\s*paid)?|jumlah|total(\s*pembayaran)?|nominal|harga|biaya|sebesar|pembayaran|payment|mobile|ponsel|bca|bri|bni|mandiri|permata|cimb|bsi|btn|ovo|gopay|shopeepay|linkaja|ad\s*group(\s*id)?|adgroup|user\s*id|uid|` +
		// A payment app's or a bank's own reference: "Kode referensi
		// DANA:", "UPI ref no.", "M-Pesa code", "GCash ref", "UTR".
		`go-?pay|shopee\s*pay|upi|utr|rrn|imps|neft|m-?pesa|gcash|paymaya|paytm|phonepe|gpay|google\s*pay|apple\s*pay|paypal|alipay|wechat\s*pay|grabpay|touch\s*'?n\s*go|approval\s*code|auth(orization)?\s*code|` +
		// Names that are words too ("dana" is money) only beside a
		// reference's word: "referensi DANA", "DANA ref", "Jenius trx id".
		`(ref(erence)?|referensi|ref\.)\s+(dana|jenius|flip|qris|maya|boost|bank|transfer)|(dana|jenius|flip|qris|maya|boost)\s+(ref|referensi|reference|kode|code|id|trx|txn|no\.?))` +
		`(\s+(ref(erence)?|referensi|ref\.|no\.?|number|code|kode|id|transaction\s*id|txn\s*id|trx\s*id|id\s*transaksi))*)\W{0,12}$`)
	// receiptLabel: the receipt a number is copied from ("dari struk
	// pembayaran:", "on the payment receipt:"): it names no kind of number,
	// so it neither labels an order nor refuses one; an order's word
	// earlier on the line does label one ("nomor ordernya dari struk
	// pembayaran: 7301…").
	receiptLabel = regexp.MustCompile(`(?i)\b(struk|bukti|nota|kuitansi|kwitansi|receipt|e-?receipt)(\s+(pembayaran|payment|transaksi|transfer|bayar|pembelian|belanja))?\W{0,12}$`)
	lineOrderRe  = regexp.MustCompile(`(?i)\b(order|pesanan|pemesanan)`)
	// notOrderRe: a run of digits right after a currency or a "+" is an
	// amount or a phone number, never an order.
	notOrderRe = regexp.MustCompile(`(?i)(\+|\b(rp|idr|usd|sgd|myr|php|us\$|\$)\.?\s?)$`)
	// amountRe: digits grouped by thousands ("1.250.000.000.000.000").
	amountRe = regexp.MustCompile(`^\d{1,3}([.,]\d{3}){4,}$`)
)

type orderCandidate struct {
	digits string
	score  int
	pos    int
	src    tickets.Source // where it is written: text (the subject too) or forwarded
	// fromSubject: first found in the subject.
	fromSubject bool
	record      *tickets.Promotion
}

// findOrders lists the order numbers a mail's words give, in the order
// they come, scored by where and how they are written: a labelled one
// beats a bare one; the subject and the new text beat quoted history. Links
// (video ids) and phone, card and bank numbers do not count.
func findOrders(subject, text, quoted string) []orderCandidate {
	seen := map[string]int{}
	var list []orderCandidate
	var textIdx, textStart, textEnd []int // the new text's orders: their index in list, where they begin and end
	namedAgain := false                   // an order of the new text named twice
	pos := 0
	scan := func(s string, bonus int, src tickets.Source, fromSubject bool) {
		s = urlRe.ReplaceAllStringFunc(s, func(u string) string { return strings.Repeat(" ", len(u)) })
		for _, loc := range digitRunRe.FindAllStringIndex(s, -1) {
			pos++
			if loc[0] > 0 && isWordByte(s[loc[0]-1]) || loc[1] < len(s) && isWordByte(s[loc[1]]) {
				continue // inside a longer token (a hash, an id with letters)
			}
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s[loc[0]:loc[1]])
			if len(digits) < 15 || len(digits) > 25 {
				continue
			}
			before := s[max(0, loc[0]-40):loc[0]]
			sc := bonus
			switch {
			case notOrderRe.MatchString(before) || amountRe.MatchString(s[loc[0]:loc[1]]):
				sc -= 60 // "+62 …" a phone, "Rp 1.250.000…" an amount
			case orderLabel.MatchString(before):
				sc += 20
			case receiptLabel.MatchString(before):
				line := before[strings.LastIndexByte(before, '\n')+1:]
				if lineOrderRe.MatchString(line) {
					sc += 20
				}
			case otherLabel.MatchString(before):
				sc -= 60
			}
			if len(digits) == 19 {
				sc += 2
			}
			if i, ok := seen[digits]; ok {
				namedAgain = namedAgain || src == tickets.SourceText && !fromSubject
				// Named again: the one the sender means ("the second one:
				// 7301…"). A paste of the same number twice in a row counts too.
				list[i].score = max(list[i].score, sc) + 5
				continue
			}
			seen[digits] = len(list)
			if src == tickets.SourceText && !fromSubject {
				textIdx, textStart, textEnd = append(textIdx, len(list)), append(textStart, loc[0]), append(textEnd, loc[1])
			}
			list = append(list, orderCandidate{digits: digits, score: sc, pos: pos, src: src, fromSubject: fromSubject})
		}
	}
	scan(subject, 15, tickets.SourceText, true)
	scan(text, 10, tickets.SourceText, false)
	i := pointedOrder(text, list, textIdx, textStart, textEnd)
	if i < 0 {
		i = extraOrder(text, list, textIdx, textStart, textEnd)
	}
	if !namedAgain && i >= 0 {
		// As one named again, over the other's label: a label before a
		// list ("dua nomor pesanan:\n7301…\n7301…") labels only its first.
		for _, j := range textIdx {
			list[i].score = max(list[i].score, list[j].score)
		}
		list[i].score += 5
	}
	scan(quoted, 0, tickets.SourceForwarded, false)
	// Orders are 19 digits long. When one of that shape is given, a number
	// of another length (a payment app's or a bank's reference, a VA, a
	// card) never wins over it, however it is labelled.
	shaped := false
	for _, c := range list {
		shaped = shaped || len(c.digits) == 19 && c.score >= -20
	}
	if shaped {
		for i := range list {
			if len(list[i].digits) != 19 {
				list[i].score -= 35
			}
		}
	}
	return list
}

// pointedOrder returns, of exactly two orders listed in the sender's text
// (phones, amounts and references left out), the one an ordinal after them
// points at: "Yang kedua itu muncul sendiri … transaksi yang kedua
// dikembalikan", "please refund the second one", "the latter", "yang
// pertama saja"; -1 when there are not two, or none or both are pointed at,
// or an order is named by an ordinal itself ("Pesanan pertama saya 7301…":
// then the ordinals count the orders in time, not in the list). An order
// named again is the one meant (findOrders), not this.
func pointedOrder(text string, list []orderCandidate, idx, starts, ends []int) int {
	var two, end []int
	for k, i := range idx {
		if list[i].score >= 0 {
			two, end = append(two, i), append(end, ends[k])
			if before := strings.ToLower(text[max(0, starts[k]-30):starts[k]]); containsWord(before, ordinalWords) {
				return -1
			}
		}
	}
	if len(two) != 2 {
		return -1
	}
	after := strings.ToLower(text[end[1]:])
	first, second := points(firstPointedRe, after), points(secondPointedRe, after)
	switch {
	case second && !first:
		return two[1]
	case first && !second:
		return two[0]
	}
	return -1
}

// extraOrder returns, of exactly two orders listed in the sender's text
// (phones, amounts and references left out), the one its own clause calls
// the extra charge: the words right before it since a comma or the
// sentence's start ("yg dobel: 7301…", "the duplicate is 7301…"), or
// right after it up to a comma or the sentence's end ("7301… kuwe
// kelebihan", "7301… is the extra one", "7301… itu yang dobel"); failing
// that, the other of the one its clause calls the genuine or the kept one
// ("7301… yang asli", "7301… can stay"). -1 when neither or both are
// called so, or the clause denies it ("7301… bukan yang dobel"). An
// ordinal after the list (pointedOrder) is read first.
func extraOrder(text string, list []orderCandidate, idx, starts, ends []int) int {
	var two, from, to []int
	for k, i := range idx {
		if list[i].score >= 0 {
			two, from, to = append(two, i), append(from, starts[k]), append(to, ends[k])
		}
	}
	if len(two) != 2 {
		return -1
	}
	var extra, kept [2]bool
	for k := range 2 {
		lo := max(0, from[k]-60)
		if k == 1 {
			lo = max(lo, to[0])
		}
		before := text[lo:from[k]]
		before = before[strings.LastIndexAny(before, ".!?\n,;(")+1:]
		hi := min(len(text), to[k]+60)
		if k == 0 {
			hi = min(hi, from[1])
		}
		after := text[to[k]:hi]
		if j := strings.IndexAny(after, ".!?\n,;"); j >= 0 {
			after = after[:j]
		}
		clause := strings.ToLower(before + " " + after)
		if deniedRe.MatchString(clause) {
			continue
		}
		extra[k], kept[k] = extraChargeRe.MatchString(clause), keptChargeRe.MatchString(clause)
	}
	switch {
	case extra[0] != extra[1]:
		if extra[0] {
			return two[0]
		}
		return two[1]
	case kept[0] != kept[1] && !extra[0]:
		if kept[0] {
			return two[1]
		}
		return two[0]
	}
	return -1
}

// The words that call one of two charges the extra one or the genuine one
// (extraOrder), in English, Indonesian and the regional words for "excess"
// (Javanese "keluwihan", Sundanese "kaleuwihan"); and a denial.
var (
	extraChargeRe = regexp.MustCompile(`\b(?:kelebihan|keluwihan|kaleuwihan|berlebih|dobel|dobelan|double|doubled|duplikat|duplicate|duplicated|ganda|extra|excess|surplus|nyasar|repeated|terpotong\s+lagi|kepotong\s+lagi|charged\s+again|taken\s+again)\b`)
	keptChargeRe  = regexp.MustCompile(`\b(?:asli|original|genuine|real\s+one|yang\s+(?:benar|bener|sah)|can\s+stay|keep|kept|the\s+one\s+i\s+(?:ordered|bought|paid\s+for|wanted|meant)|yang\s+(?:saya|aku)\s+(?:pesan|beli|bayar))\b`)
	deniedRe      = regexp.MustCompile(`\b(?:not|isn'?t|wasn'?t|bukan|tidak|tak|dudu|ora)\b`)
)

// points reports whether re matches in text other than as a count of times
// ("yang pertama kali saya beli", "email yang kedua kalinya").
func points(re pattern, text string) bool {
	if !re.mayMatch(text) {
		return false
	}
	for _, loc := range re.re.FindAllStringIndex(text, -1) {
		if rest := strings.TrimLeft(text[loc[1]:], " \t\n"); !strings.HasPrefix(rest, "kali") {
			return true
		}
	}
	return false
}

// The ordinal that points at one of two orders listed (pointedOrder).
var (
	ordinalWords    = []string{"pertama", "kedua", "ke-1", "ke-2", "ke1", "ke2", "first", "second", "1st", "2nd", "former", "latter", "last", "terakhir"}
	secondPointedRe = newPattern(`\b(?:yang|yg)\s+(?:kedua|ke-?2|terakhir|belakangan|bawah)\b|\b(?:nomor|no|pesanan|order|transaksi|tagihan|potongan|pembayaran|invoice|faktur)\s+(?:ke-?2|kedua)\b`+
		`|\bthe\s+(?:second|2nd|last|bottom|latter)\s+(?:one|order|number|charge|payment|transaction|debit|entry|invoice)\b|\bthe\s+latter\b`, 0)
	firstPointedRe = newPattern(`\b(?:yang|yg)\s+(?:pertama|ke-?1|atas)\b|\b(?:nomor|no|pesanan|order|transaksi|tagihan|potongan|pembayaran|invoice|faktur)\s+(?:ke-?1|pertama)\b`+
		`|\bthe\s+(?:first|1st|top|former)\s+(?:one|order|number|charge|payment|transaction|debit|entry|invoice)\b|\bthe\s+former\b`, 0)
)

// rankOrders looks the candidates up in book, and returns those worth
// keeping, best first: one on record beats one that is not (it scores 100
// more). found is not changed.
func rankOrders(ctx context.Context, book OrderBook, found []orderCandidate) []orderCandidate {
	list := slices.Clone(found)
	for i := range list {
		c := &list[i]
		if book == nil || c.score < -20 {
			continue
		}
		p, err := book.Promotion(ctx, c.digits)
		if err == nil {
			c.record = p
			c.score += 100
		} else if !errors.Is(err, tickets.ErrNotFound) {
			continue
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].score != list[j].score {
			return list[i].score > list[j].score
		}
		return list[i].pos < list[j].pos
	})
	var out []orderCandidate
	for _, c := range list {
		if c.score >= -20 {
			out = append(out, c)
		}
	}
	return out
}

func isWordByte(b byte) bool { return b == '_' || b == '/' || b == '=' || unicode.IsLetter(rune(b)) }

// Where an account name is written.
var (
	accountLabelRe = regexp.MustCompile(`(?im)(?:^|[\s(])(?:nama\s+akun|nama\s+pengguna|username|user\s*name|akun|account\s+name|account|handle|id\s+(?:tiktok|tt)|tiktok|tt)(?:\s+(?:tiktok|tt|saya|aku|gue|gua|gw|ku|kami|my|name|id|username))*\s*(?:[:=]|adalah|is|:\s*adalah)\s*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	myHandleRe     = regexp.MustCompile(`(?i)\bmy\s+(?:tiktok\s+|tt\s+)?(?:handle|username|user\s+name|account|tiktok|tt)(?:\s+name)?(?:\s+(?:on|at)\s+tiktok)?\s+is\s+@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	profileLinkRe  = regexp.MustCompile(`(?i)tiktok\.com/@([A-Za-z0-9._]{2,30})`)
	mentionRe      = regexp.MustCompile(`(?:^|[^A-Za-z0-9._%+\-])@([A-Za-z0-9_][A-Za-z0-9._]{1,29})`)
	mailDomainRe   = regexp.MustCompile(`(?i)^(gmail|googlemail|yahoo|ymail|hotmail|outlook|live|icloud|me|aol|proton|protonmail|mail|email|gmx|zoho)\.(com|co\.id|co|id|net|org|me)$`)
)

type accountCandidate struct {
	handle string
	weight int
}

// accountCandidates lists the account names a text gives: labelled fields
// first, then profile links, then @handles (not mail addresses).
func accountCandidates(text string) []accountCandidate {
	var out []accountCandidate
	add := func(h string, w int) {
		h = strings.TrimRight(h, ".")
		if h == "" || isWordNotHandle(h) || !strings.ContainsFunc(h, unicode.IsLetter) || mailDomainRe.MatchString(h) ||
			strings.HasPrefix(strings.ToLower(h), "tiktok.") || isFileName(strings.ToLower(h)) {
			return // digits alone are an order, a host name is a link, a file's name no account
		}
		out = append(out, accountCandidate{handle: "@" + h, weight: w})
	}
	for _, m := range accountLabelRe.FindAllStringSubmatchIndex(text, -1) {
		if m[3] < len(text) && (text[m[3]] == '/' || text[m[3]] == ':') {
			continue // the start of a link, not a handle
		}
		// "Akun: Sanggar Tari (@sanggar.tari)": a display name, then the handle.
		line := text[m[3]:]
		if nl := strings.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		if hm := mentionRe.FindStringSubmatch(line); hm != nil && !strings.HasPrefix(text[m[2]-1:m[2]], "@") {
			add(hm[1], 3)
			continue
		}
		// "Account name is Sunny Bakes (sunny.bakes.sg)": the handle in
		// brackets after a display name.
		if bm := bracketRe.FindStringSubmatch(line); bm != nil && handleLike(bm[1]) && !handleLike(text[m[2]:m[3]]) {
			add(bm[1], 3)
			continue
		}
		if displayName(text, m[2], m[3]) {
			continue // "Nama akun: Kopi Pagi": a display name, not a handle
		}
		add(text[m[2]:m[3]], 3)
	}
	for _, m := range myHandleRe.FindAllStringSubmatch(text, -1) {
		add(m[1], 3)
	}
	out = append(out, looseCandidates(text)...)
	out = append(out, cueCandidates(text)...)
	out = append(out, accountBracketCandidates(text)...)
	for _, m := range profileLinkRe.FindAllStringSubmatch(text, -1) {
		add(m[1], 2)
	}
	for _, m := range mentionRe.FindAllStringSubmatchIndex(text, -1) {
		h := text[m[2]:m[3]]
		// "name@example.com" is a mail address, "@example.com" after a space may be too.
		rest := text[m[3]:]
		if mailDomainRe.MatchString(h) {
			continue // "email saya @gmail.com"
		}
		if strings.HasPrefix(rest, "@") {
			continue
		}
		add(h, 1)
	}
	return out
}

// isWordNotHandle drops words a label is followed by that are no account
// ("Akun: saya", "account is suspended").
func isWordNotHandle(h string) bool {
	switch strings.ToLower(h) {
	case "saya", "aku", "kami", "anda", "yang", "ini", "itu", "tersebut", "tiktok", "my", "the", "is", "was", "has",
		"suspended", "banned", "sudah", "telah", "belum", "tidak", "not", "dan", "and", "with", "dengan", "gue", "gw",
		"sudah_", "udah", "masih", "still", "already", "a", "an", "di", "ke", "ada", "kena", "got", "been",
		"under", "on", "in", "at", "for", "of", "from", "to", "that", "this", "which", "number", "no", "nomor", "instagram", "ig",
		"youtube", "shopee", "tokopedia", "facebook", "fb", "wa", "whatsapp", "lain", "other", "baru", "new", "lama", "old",
		"kita", "ku", "gua", "sy", "ak", "our", "nya", "mu", "kamu", "you", "your", "yg", "juga", "also", "we", "i",
		"verified", "private", "business", "bisnis", "toko", "shop", "official", "email", "e-mail", "surel", "name", "nama",
		"refund", "promosi", "promotion", "promo", "iklan", "video", "order", "pesanan", "request", "issue", "case", "problem",
		"masalah", "it", "tsb", "sendiri", "lagi", "again", "please", "tolong", "mohon",
		// the fillers between a label and the name (fillerWords), and words
		// a sentence goes on with after them ("username gw tuh udah ganti")
		"mine", "tuh", "tu", "nih", "ni", "ya", "yah", "yaa", "yak", "sih", "kak", "kakak", "min", "gan", "sis", "btw", "dong", "ane", "here",
		"below", "then", "na", "apa", "what", "ganti", "diganti", "beda", "sama", "same", "kok", "kan", "aja", "doang", "bukan", "lupa":
		return true
	}
	return false
}

// chooseAccount picks the account and says where it was found: the one
// matching the order's record when the mail names it anywhere, else the
// strongest and earliest in the new text, else in the signature, else in a
// forwarded message.
func chooseAccount(fresh, signed, forwarded []accountCandidate, record *tickets.Promotion) (string, tickets.Source) {
	lists := []struct {
		list []accountCandidate
		src  tickets.Source
	}{{fresh, tickets.SourceText}, {signed, tickets.SourceSignature}, {forwarded, tickets.SourceForwarded}}
	if record != nil {
		for _, l := range lists {
			for _, c := range l.list {
				if tickets.AccountKey(c.handle) == tickets.AccountKey(record.Account) {
					return c.handle, l.src
				}
			}
		}
	}
	for _, l := range lists {
		best := -1
		for i, c := range l.list {
			if best < 0 || c.weight > l.list[best].weight {
				best = i
			}
		}
		if best >= 0 {
			return l.list[best].handle, l.src
		}
	}
	return "", ""
}

// Accounts written without @: after a label and a separator ("Username -
// x", "akun tiktok aku namanya x", "my tiktok is x"), or after a label
// alone when the name looks like a handle ("pemilik akun toko.dewi.id",
// "akun bengkelmotor.jaya"); in a signature, on a line of social handles
// ("TikTok/IG: x", "Tiktok | IG : x") or in brackets after the name
// ("Dewi (toko.dewi.id)"); in a forwarded notice, in the platform's
// greeting ("Halo x,", "Hi x,").
var (
	looseLabelRe = regexp.MustCompile(`(?i)(?:^|[\s(,;*])(pemilik\s+akun|nama\s+akun(?:nya)?|nama\s+pengguna(?:nya)?|akun(?:nya)?(?:\s+(?:tiktok|tt)(?:nya|ku)?)?|uname|accounts?(?:\s+name)?|user\s*name(?:nya)?|usernamenya|user(?:\s+(?:tiktok|tt))?|(?:tiktok|tt)\s+(?:user(?:\s*name)?|account|handle|id|name)|handle|my\s+(?:tiktok|tt)(?:\s+name)?|id\s+(?:tiktok|tt))` +
		`((?:\s+(?:saya|aku|ku|gue|gw|gua|kami|kita|my|mine|our|sy|ak|tiktok|tt|on\s+tiktok|di\s+tiktok)\b)*(?:\s*(?:[:=\-–—>→]|['’]s\b|\bnamanya\b|\badalah\b|\byaitu\b|\byakni\b|\bis\b|\bna\b|\bcalled\b|\bnamed\b|\bbernama\b|\bdengan\s+nama\b)\*?)*)\s*\*?\s*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	socialLineRe = regexp.MustCompile(`(?i)\b(tiktok|tik\s+tok|tt|ig|insta(?:gram)?|socials?|sosmed|medsos)\b([^:\n]{0,24}?)[:\-–—]\s*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	bracketRe    = regexp.MustCompile(`\(\s*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})\s*\)`)
	greetingRe   = regexp.MustCompile(`(?im)^[\s>]*(?:halo|hallo|hai|hi|hello|hey|dear|yth\.?|kepada)[\s,]+(?:(?:kreator|creator|pengguna|user|sobat)\s+)?[*"“']?@?([A-Za-z0-9][A-Za-z0-9._]{1,29})[*"”']?\s*[,!:]`)
	// labelLineRe: a label, a few words, a colon and the name on one line
	// ("akun aku ya kak: kopi.pagi", "Akun TikTok yang dipromosikan: x").
	labelLineRe = regexp.MustCompile(`(?im)\b(?:akun|account|username|user\s+name|uname|handle)\b[^:\n@]{0,30}:[ \t]*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})(?:[ \t]*$|[ \t]*[,.;)(])`)
	// strongLabelRe: labels that name nothing but an account, after which
	// a plain name needs no separator ("username saya kopipagi").
	strongLabelRe = regexp.MustCompile(`(?i)^(pemilik\s+akun|nama\s+akun(nya)?|nama\s+pengguna(nya)?|user\s*name(nya)?|usernamenya|uname|(tiktok|tt)\s+(user(\s*name)?|handle|id)|id\s+(tiktok|tt))$`)
	closingRe     = regexp.MustCompile(`(?i)^\s*` + closingWords + `\b[\s,.!]*`)
	// closingEndRe: thanks as the last sentence of a line ("Mohon dibantu
	// nggih. Suksma.", "Please refund it. Cheers!").
	closingEndRe = regexp.MustCompile(`(?i)(?:^|[.!?]\s+)` + closingWords + `[\s,.!]*$`)
)

// closingWords are the words a sign-off begins with, in English and in
// Indonesian and its regional languages (Batak "horas", "mauliate";
// Balinese "suksma"; Javanese "matur nuwun", "suwun"; Sundanese "hatur
// nuhun"; Banjar "tarima kasih"; Manado "makase"; Minang "tarimo kasih";
// Filipino "salamat"; Indian English "thanking you"; the French,
// Spanish, Portuguese, German, Italian and Dutch thanks of writers who mix
// them in: "merci", "gracias", "obrigada", "danke", "grazie").
const closingWords = `(salam(\s+hangat|\s+hormat|\s+sejahtera)?|wassalam\S*|regards|rgds|best(\s+regards|\s+wishes)?|kind\s+regards|warm\s+regards|many\s+thanks|thanks?(\s+(you|u|again|so\s+much|ever\s+so\s+much))?|thank\s+u|thx|tks|tq|ty|tengkyu|cheers|sincerely|yours(\s+\w+)?|god\s+bless|take\s+care|thanking\s+you|with\s+thanks|respectfully|warmly|all\s+the\s+best|blessings|(maraming\s+)?salamat|jazakallah\w*|syukran|merci(\s+beaucoup|\s+bien)?|gracias|obrigad[oa]|danke(\s+schön)?|grazie|dank\s+je(\s+wel)?|` +
	`terima\s*kasih|trima\s*kasih|tarima\s*kasih|tarimo\s*kasih|makasih|makase(h)?|trims|hormat\s+(saya|kami)|salam\s+kenal|cmiiw|horas|mauliate|suksma|matur\s+(sembah\s+)?nuwun|suwun|hatur\s+nuhun|nuhun)`

var evidenceNoteRe = regexp.MustCompile(`\b(screenshots?|screen\s*shots?|ss(nya)?|tangkapan\s+layar|lampir\w*|dilampirkan|attach\w*|bukti(nya)?|capture|capturan|foto(nya)?)\b`)

var sepWordRe = regexp.MustCompile(`(?i)\b(namanya|adalah|yaitu|yakni|is|na|called|named|bernama|nama)\b`)

// isFiller reports whether w is one of the short words people put between
// an account's label and the name, besides a possessive ("username tiktok
// gw tuh x btw", "akun aku nih x"): a pointing word, a particle, a word of
// address. None of them is ever the name (isWordNotHandle); looseLine
// reads a line with them blanked, so that the label's grammar need not
// list them.
func isFiller(w string) bool {
	switch strings.ToLower(w) {
	case "tuh", "tu", "nih", "ni", "itu", "ini", "ya", "yah", "yaa", "yak", "sih", "kak", "kakak", "min", "gan", "sis", "btw", "dong", "ane", "here", "below", "then":
		return true
	}
	return false
}

// blankFillers returns line with its filler words (isFiller) turned into
// spaces, the same length, so that what is found in it is sliced from line.
func blankFillers(line string) string {
	var b []byte
	for i := 0; i < len(line); {
		if !isHandleByte(line[i]) {
			i++
			continue
		}
		j := i
		for j < len(line) && isHandleByte(line[j]) {
			j++
		}
		if j-i <= 5 && isFiller(line[i:j]) {
			if b == nil {
				b = []byte(line)
			}
			for k := i; k < j; k++ {
				b[k] = ' '
			}
		}
		i = j
	}
	if b == nil {
		return line
	}
	return string(b)
}

// isHandleByte: a byte a handle or a word is written with.
func isHandleByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '@' || c == '/' || c == '\'' || c >= 0x80
}

// letterCount is the number of letters in s.
func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// handleLike reports whether a name written without @ looks like a handle
// rather than a word: it has a dot, an underscore or a digit.
func handleLike(h string) bool { return strings.ContainsAny(h, "._0123456789") }

// cueCandidates reads the names written like handles (dottedNames) on a
// line that speaks of an account, with no label's grammar: "Akun kita pe
// nama x.y", "nama akune x.y", "Akun toko gua x.y", "The account in
// question is x.y.", "I'm on there as x.y", "(we post as x.y)", "account
// name's x.y", "Our page is x.y, order …", "You'll find it under x.y on
// TikTok", a table's "Akun Klien x.y" cell. A line ending in the account's
// word goes on with the next one's first word (a paragraph wrapped after
// "akun").
func cueCandidates(text string) []accountCandidate {
	var out []accountCandidate
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		last, ok := accountCue(strings.ToLower(line))
		if !ok {
			continue
		}
		if last && i+1 < len(lines) {
			next := strings.TrimSpace(lines[i+1])
			if sp := strings.IndexAny(next, " \t"); sp >= 0 {
				next = next[:sp]
			}
			line += " " + next
		}
		dottedNames(line, func(h string, _, _ int) { addHandle(&out, h, 2) })
		phraseNames(line, &out)
	}
	return out
}

// The sentences that name an account without @ and without a label's
// field, on a line that speaks of one (cueCandidates): "my @ is x", "@
// saya x"; "our TikTok page is x", "profil TikTok kami adalah x"; the
// account put after a comma ("for our TikTok account, x.", "akun TikTok
// kami, x,"); "posts as x on TikTok", "known on TikTok as x", "di TikTok
// dengan nama x"; "(x on TikTok)", "we're x on TikTok". A plain word
// there is a name only when plainHandle says so.
var (
	atWordRe       = regexp.MustCompile(`(?i)(?:\b(?:my|our|the|her|his|their)\s+(?:tiktok\s+|tt\s+)?@|@[ \t]*(?:saya|aku|ku|kami|gw|gue|nya)\b)[ \t]*(?:is\b|[:=\-–]|adalah\b|yaitu\b)?[ \t]*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	pageIsRe       = regexp.MustCompile(`(?i)(?:\b(?:my|our)\s+(?:(?:tiktok|tt|tik\s+tok)\s+(?:page|profile|channel|account|acc|handle|user\s*name|name)|page|profile|channel|handle)(?:\s+(?:on|at)\s+(?:tiktok|tt))?\s+(?:is|['’]s)|\b(?:page|halaman|profil|channel|kanal)(?:\s+(?:tiktok|tt))?\s+(?:kami|saya|aku|ku|gue|gw)\s+(?:adalah|yaitu|yakni|ialah))[ \t]+@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	apposRe        = regexp.MustCompile(`(?i)(?:\b(?:my|our)\s+(?:(?:tiktok|tt)\s+)?(?:account|page|profile|channel|handle|username)(?:\s+(?:on|di)\s+tiktok)?|\b(?:akun|profil|page)(?:\s+(?:tiktok|tt))?\s+(?:kami|saya|aku|ku|gue|gw))[ \t]*[,–—][ \t]*@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	postsAsRe      = regexp.MustCompile(`(?i)\b(posts?|posting|goes|go|known|trades?|trading|dikenal|tampil|(?:on|di)\s+(?:tiktok|tt|tik\s+tok))\s+(?:as|by|under|sebagai|dengan\s+nama|pakai\s+nama)\s+@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)
	onTiktokRe     = regexp.MustCompile(`(?i)(?:\([ \t]*|\b(?:i['’]?m|i\s+am|we['’]?re|we\s+are|saya|kami|aku)\s+)@?([A-Za-z0-9][A-Za-z0-9._]{1,29})\s+(?:on|di)\s+(?:tiktok|tt|tik\s+tok)\b`)
	platformNextRe = regexp.MustCompile(`(?i)^[ \t]+(?:on|di|at)[ \t]+(?:tiktok|tt|tik[ \t]+tok|there|sana|the\s+app)\b`)
)

// phraseNames adds the accounts a line names in a sentence (atWordRe and
// the rest above).
func phraseNames(line string, out *[]accountCandidate) {
	for _, re := range []*regexp.Regexp{atWordRe, pageIsRe, apposRe} {
		for _, m := range re.FindAllStringSubmatchIndex(line, -1) {
			if plainHandle(line, m[2], m[3], true) {
				addHandle(out, line[m[2]:m[3]], 3)
			}
		}
	}
	for _, m := range postsAsRe.FindAllStringSubmatchIndex(line, -1) {
		// "posts as usual": a plain word only where the platform is named
		// with it ("on TikTok as x", "posts as x on TikTok").
		verb := strings.ToLower(line[m[2]:m[3]])
		after := platformNextRe.MatchString(line[m[5]:])
		if (after || strings.HasPrefix(verb, "on") || strings.HasPrefix(verb, "di")) && plainHandle(line, m[4], m[5], !after) {
			addHandle(out, line[m[4]:m[5]], 3)
		}
	}
	for _, m := range onTiktokRe.FindAllStringSubmatchIndex(line, -1) {
		if plainHandle(line, m[2], m[3], false) {
			addHandle(out, line[m[2]:m[3]], 2)
		}
	}
}

// plainHandle reports whether the name at line[i:j], read in a sentence
// about an account, is a handle: one written as a handle (handleLike), or
// one lower-case word of six letters or more that is no word of the
// sentence going on (isWordNotHandle and its plural, accountState,
// sentenceWord, an adverb, a verb's -ing or -ed form) nor the desk's
// name; not a mail address or a link; and,
// when ends, the end of its field (a comma, a full stop, a bracket, the
// end of the line).
func plainHandle(line string, i, j int, ends bool) bool {
	h := strings.TrimRight(line[i:j], ".")
	if j < len(line) && strings.ContainsRune("@/:", rune(line[j])) {
		return false // a mail address, a link
	}
	if ends && !endsField(line[j:]) && !platformNextRe.MatchString(line[j:]) {
		return false
	}
	if handleLike(h) {
		return true
	}
	w := strings.ToLower(h)
	return w == h && letterCount(h) >= 6 && !isWordNotHandle(w) && !isWordNotHandle(strings.TrimSuffix(w, "s")) && !accountState(w) && !sentenceWord(w) && !deskNameRe.MatchString(w) &&
		!strings.HasSuffix(w, "ly") && !strings.HasSuffix(w, "ing") && !strings.HasSuffix(w, "ed")
}

// sentenceWord: the words a sentence goes on with after "account," or
// "my page is", or that say how one is on the platform, not a name.
func sentenceWord(w string) bool {
	switch w {
	case "which", "where", "while", "whose", "though", "although", "however", "because", "since", "therefore", "anyway", "anyways",
		"but", "also", "still", "there", "their", "these", "those", "about", "after", "before", "again", "until", "unless",
		"empty", "small", "public", "legit", "real", "genuine", "popular", "famous", "active", "normal", "different", "separate",
		"another", "fine", "okay", "alright", "down", "growing", "everywhere", "always", "sometimes", "really", "quite", "pretty",
		"known", "newer", "older", "bigger", "smaller", "usual", "below", "above", "attached", "linked", "online", "offline",
		"tapi", "namun", "karena", "karna", "jadi", "sehingga", "lalu", "kemudian", "waktu", "ketika", "sejak", "sebelum", "setelah",
		"yaitu", "yakni", "adalah", "masih", "sudah", "belum", "terus", "lebih", "kurang", "sekarang", "besar", "kecil", "terkenal",
		"bernama", "namanya", "sebagai", "walau", "walaupun", "meskipun", "padahal", "soalnya", "pokoknya", "business", "customers",
		"followers", "everyone", "everything", "actually", "personal", "official", "content", "videos", "account", "profile":
		return true
	}
	return false
}

// accountCue reports whether a lower-case line speaks of an account
// (accountCueWords, accountCuePhrases), and whether its last word is one.
func accountCue(line string) (last, ok bool) {
	for _, p := range accountCuePhrases {
		if strings.Contains(line, p) {
			ok = true
		}
	}
	words := strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) })
	end := len(words) - 1
	for end > 0 && trailingLabelWord(words[end]) {
		end-- // "akun TikTok saya\nx.y": the label's possessive ends the line
	}
	for k, w := range words {
		for _, c := range accountCueWords {
			if w == c || len(c) > 3 && strings.HasPrefix(w, c) {
				ok = true
				last = last || k >= end
			}
		}
	}
	return last, ok
}

// trailingLabelWord: the words that may follow an account's word at the
// end of a line before the name on the next ("akun TikTok saya", "my
// TikTok account is", "nama akunnya adalah").
func trailingLabelWord(w string) bool {
	switch strings.ToLower(w) {
	case "saya", "aku", "ku", "kami", "kita", "gue", "gw", "sy", "my", "our", "tiktok", "tt", "is", "adalah", "yaitu", "yakni",
		"namanya", "name", "nama", "called", "named", "bernama":
		return true
	}
	return false
}

// accountCueWords begin a word about an account ("akune", "accounts",
// "usernamenya", "profile"); the short ones are whole words.
var accountCueWords = []string{"akun", "akaun", "akn", "acc", "acct", "account", "user", "uname", "handle", "page", "profil", "pengguna", "tiktok", "tt", "channel"}

// accountCuePhrases say how one goes by on the platform.
var accountCuePhrases = []string{"on there", "post as", "posting as", "posts as", "go by", "goes by", "known as", "tik tok", "find us", "find me",
	"my @", "our @", "the @", "@ saya", "@ aku", "@ kami", "@nya", "@ku", "dikenal"}

// dottedNames calls f with each name of line written as a handle is and a
// word is not: lower case, with a dot or an underscore inside, four
// letters or more ("kopi.sidikalang", "nasiuduk.babeh_haji"); not a mail
// address, a link, a site, a file, an abbreviation ("a.n.") or an amount.
func dottedNames(line string, f func(h string, i, j int)) {
	for i := 0; i < len(line); {
		if !nameByte(line[i]) {
			i++
			continue
		}
		j := i
		for j < len(line) && nameByte(line[j]) {
			j++
		}
		start, end := i, j
		i = j
		if start > 0 && strings.IndexByte("@/#&?%=\\", line[start-1]) >= 0 || end < len(line) && (line[end] == '@' || line[end] == '/') {
			continue // a mail address, a link
		}
		h := strings.TrimRight(line[start:end], ".")
		if !strings.ContainsAny(strings.Trim(h, "._"), "._") || h != strings.ToLower(h) || strings.ContainsFunc(h, func(r rune) bool { return r >= 0x80 }) ||
			letterCount(h) < 4 || longestRun(h) < 3 || siteRe.MatchString(h) || isFileName(h) || mailDomainRe.MatchString(h) ||
			strings.HasPrefix(h, "tiktok.") || strings.HasPrefix(h, "www.") || isAbbreviation(h[:strings.IndexAny(h+".", "._")]) {
			continue
		}
		f(h, start, start+len(h))
	}
}

// isAbbreviation: the abbreviations an address or a reference begins
// with ("jl.merdeka", "no.5", "ref.ab12"), which no handle is read from.
// Not a title: "dr.tirta" is a creator's handle.
func isAbbreviation(w string) bool {
	switch w {
	case "jl", "jln", "gg", "no", "kec", "kel", "kab", "prov", "rt", "rw", "ref", "inv", "tgl", "rp", "rek", "an", "hp", "telp", "tel", "ext", "approx":
		return true
	}
	return false
}

// nameByte: a byte of a name or a word (letters of any case and script,
// so that "Kopi.Pagi" and "Andréa" are read whole and refused).
func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c >= 0x80
}

// longestRun is the length of the longest run of letters in h.
func longestRun(h string) int {
	best, n := 0, 0
	for _, r := range h {
		if unicode.IsLetter(r) {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// fileRe: a file's name, not a handle.
var fileRe = regexp.MustCompile(`\.(png|jpe?g|gif|webp|heic|pdf|mp4|mov|docx?|xlsx?|csv|txt|zip)$`)

// isFileName reports whether h (lower case) is a file's name rather than
// a handle whose last part reads like a file's extension: a handle ends in
// a country's or a place's letters that may be one ("kila.namaliu.png",
// Papua New Guinea; "toko.sari.pdf"). It is a file when it ends like one
// and what comes before the extension is one word ("bukti_akun.png",
// "IMG_2231.jpg"), begins with a camera's, a screenshot's or a proof's
// word ("screenshot.akun.png", "foto.promo.jpg", "bukti.transfer.png"),
// or has a date's or a camera's digits (four or more in a row).
func isFileName(h string) bool {
	loc := fileRe.FindStringIndex(h)
	if loc == nil {
		return false
	}
	stem := strings.Trim(h[:loc[0]], "._")
	if !strings.Contains(stem, ".") {
		return true // one word before the extension
	}
	first := stem[:strings.IndexAny(stem, "._")]
	switch first {
	case "img", "image", "images", "pic", "photo", "foto", "gambar", "screenshot", "screen", "ss", "sc", "capture", "capt", "scan", "scr",
		"bukti", "proof", "receipt", "struk", "nota", "invoice", "dsc", "dcim", "vid", "video", "wa", "whatsapp", "doc", "dokumen", "document",
		"lampiran", "attachment", "file", "berkas", "tangkapan", "snapshot", "pxl", "mvimg":
		return true
	}
	return longestDigits(stem) >= 4
}

// looseCandidates reads the labelled accounts without @ of text.
func looseCandidates(all string) []accountCandidate {
	var out []accountCandidate
	// Line by line, and only the lines with a label's word: the
	// expressions try every position of what they are given.
	lines := strings.Split(all, "\n")
	for i, text := range lines {
		if !containsWord(strings.ToLower(text), labelWords) {
			continue
		}
		// A line wrapped after the label ("…, order #7301…, account\n
		// northernlightsknits."): it goes on with the next line's first word.
		if i+1 < len(lines) && endsWithLabel(text) {
			if next := strings.Fields(lines[i+1]); len(next) > 0 {
				text = strings.TrimRight(text, " \t\r") + " " + next[0]
			}
		}
		near := i > 0 && longestDigits(lines[i-1]) >= 10 || i+1 < len(lines) && longestDigits(lines[i+1]) >= 10
		out = append(out, looseLine(text, near)...)
	}
	return out
}

// accountBracketRe: a name in brackets right after the account's word
// ("videos on my account (fitwithmegandjay)", "akun kami (warungbusri)
// sudah ...", "from the page (lagos.threads)"); the word before it, to
// tell a bank's account. It is tried only on what stands before a
// bracket (accountBracketCandidates), not over the whole text.
var (
	accountBracketRe = regexp.MustCompile(`(?i)(\w*)[ \t]+(?:tiktok[ \t]+)?(?:account|akun(?:nya|ku)?|akaun|handle|username|profile|profil|page|channel)(?:[ \t]+(?:saya|aku|kami|gw|ku|on[ \t]+tiktok|di[ \t]+tiktok))?[ \t]*$`)
	bracketNameRe    = regexp.MustCompile(`^\([ \t]*@?([a-z0-9][a-z0-9._]{2,29})[ \t]*\)`)
)

// accountBracketCandidates reads a lower-case name in brackets after the
// account's word, when it is not a word describing the account ("(lama)",
// "(personal)") nor after a bank's or a payment's word.
func accountBracketCandidates(text string) []accountCandidate {
	var out []accountCandidate
	for i, n := 0, 0; n < 16; n++ { // the first sixteen brackets
		j := strings.IndexByte(text[i:], '(')
		if j < 0 {
			break
		}
		i += j + 1
		b := bracketNameRe.FindStringSubmatch(text[i-1:])
		if b == nil {
			continue
		}
		m := accountBracketRe.FindStringSubmatch(text[max(0, i-1-48) : i-1])
		if m == nil {
			continue
		}
		h := b[1]
		switch strings.ToLower(m[1]) {
		case "bank", "rekening", "paypal", "email", "mail", "gmail", "savings", "checking", "current", "ads", "ad", "iklan", "business", "bisnis":
			continue
		}
		if !handleLike(h) && (letterCount(h) < 5 || accountWordLike(h)) {
			continue
		}
		addHandle(&out, h, 2)
	}
	return out
}

// accountWordLike reports whether w is a word that says what kind an
// account is rather than its name.
func accountWordLike(w string) bool {
	switch w {
	case "personal", "pribadi", "utama", "kedua", "second", "main", "creator", "kreator", "lainnya", "another", "shared", "joint",
		"backup", "cadangan", "official", "resmi", "toko", "store", "company", "perusahaan", "brand", "agency", "agensi", "sendiri", "mine", "theirs":
		return true
	}
	return false
}

// endsWithLabel reports whether a line's last word is an account's label.
func endsWithLabel(line string) bool {
	f := strings.Fields(strings.ToLower(line))
	for len(f) > 1 && trailingLabelWord(f[len(f)-1]) {
		f = f[:len(f)-1] // "account is", "akun saya"
	}
	if len(f) == 0 {
		return false
	}
	switch f[len(f)-1] {
	case "account", "akun", "acc", "acct", "username", "uname", "handle":
		return true
	}
	return false
}

// labelWords: a line without one of them has no label looseLabelRe or
// labelLineRe takes.
var labelWords = []string{"akun", "akn", "acc", "a/c", "user", "uname", "handle", "tiktok", "tik tok", "tt", "pengguna", "profil"}

// looseLine reads the labelled accounts without @ of one line; near: the
// line before or after it gives an order's long number (a block of fields).
func looseLine(text string, near bool) []accountCandidate {
	var out []accountCandidate
	blanked := blankFillers(text)
	for _, m := range looseLabelRe.FindAllStringSubmatchIndex(blanked, -1) {
		h := strings.TrimRight(text[m[6]:m[7]], ".")
		sep := strings.TrimSpace(text[m[4]:m[5]])
		if m[7] < len(text) && (text[m[7]] == '@' || text[m[7]] == '/' || text[m[7]] == ':') {
			continue // a mail address, a link
		}
		separated := strings.ContainsAny(sep, ":=-–—>→") || sepWordRe.MatchString(sep)
		label := strings.ToLower(text[m[2]:m[3]])
		// "tiktok name's x (no @)", "username’s x": only after a label
		// for a name, and a plain word only when it ends the field.
		if s := strings.HasSuffix(sep, "'s") || strings.HasSuffix(sep, "’s"); s {
			if !strings.Contains(label, "name") && !strings.Contains(label, "handle") || !handleLike(h) && (!endsField(text[m[7]:]) || accountState(strings.ToLower(h))) {
				continue
			}
			separated = true
		}
		if strings.HasPrefix(label, "my ") && !strings.Contains(sep, "is") && !strings.ContainsAny(sep, ":='’") {
			continue // "my tiktok video": "my tiktok" is a label only before "is" or ":"
		}
		// "pemilik akun Sinar Pagi (@sinar.pagi_)": a display name, then
		// the handle in brackets.
		rest := text[m[7]:min(len(text), m[7]+48)]
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			rest = rest[:nl]
		}
		if bm := bracketRe.FindStringSubmatch(rest); bm != nil && (handleLike(bm[1]) || strings.HasPrefix(strings.TrimSpace(bm[0][1:]), "@")) {
			addHandle(&out, bm[1], 3)
			continue
		}
		if !separated && (letterCount(h) < 3 || !handleLike(h) && (strings.ToLower(h) != h || !strongLabelRe.MatchString(strings.Join(strings.Fields(label), " "))) && !listedField(text, m[2], m[7], label, h, near)) {
			continue // "akun saya kena banned", "account suspended"
		}
		if displayName(text, m[6], m[7]) {
			continue
		}
		if ok := addHandle(&out, h, 3); !ok {
			continue
		}
	}
	for _, m := range labelLineRe.FindAllStringSubmatchIndex(text, -1) {
		if displayName(text, m[2], m[3]) {
			continue
		}
		addHandle(&out, text[m[2]:m[3]], 3)
	}
	// "Account holder - x", "Tiktok acc: x", "tiktok acc name : x", "akun
	// tt = x": any label word, with a platform, a possessive and a word
	// for its name around it, and a separator.
	if !strings.ContainsAny(text, ":=-–—→") {
		return out
	}
	for _, m := range labelSepRe.FindAllStringSubmatchIndex(blanked, -1) {
		h := strings.TrimRight(text[m[2]:m[3]], ".")
		if m[3] < len(text) && strings.ContainsRune("@/:", rune(text[m[3]])) {
			continue // a mail address, a link
		}
		// A plain word is a handle only when it ends the field ("Account
		// holder - Rohan Mehta" is a person, "akun - please" no name).
		if !handleLike(h) && !endsField(text[m[3]:]) {
			continue
		}
		// "TikTok - Urgent" (a subject): after a platform's name alone and
		// a dash, only a name that looks like a handle.
		if label := strings.ToLower(strings.TrimLeft(text[m[0]:m[2]], " \t(,;*|/")); !handleLike(h) && bareLabelRe.MatchString(label) {
			continue
		}
		addHandle(&out, h, 3)
	}
	return out
}

// listedField reports whether a plain lower-case name after a bare label
// is the account's field in a list of the request's fields, as people
// write them after the order ("order #7301…, account northernlightsknits.",
// "pesanan 7301…; akun warungbuyati", "account kopipagi, order 7301…"):
// the label begins a field (the start of the line, or after a comma or a
// semicolon), the name ends it, and the line gives an order's long number;
// or, in a block of fields ("Order 7301…\nAccount kopipagi"), the label
// begins the line and the line before or after gives it (near). Never a
// word of the account's state ("account closed", "akun diblokir").
func listedField(line string, i, j int, label, h string, near bool) bool {
	switch label {
	case "account", "akun", "acc", "acct", "username", "user name", "uname", "handle":
	default:
		return false
	}
	before := strings.TrimRight(line[:i], " \t(*")
	afterNumber := longestDigits(before[strings.LastIndexAny(before, " \t")+1:]) >= 10 // "no order 7301… akun x"
	if before != "" && !strings.HasSuffix(before, ",") && !strings.HasSuffix(before, ";") && !afterNumber {
		return false
	}
	if longestDigits(line) < 10 && (before != "" || !near) {
		return false
	}
	if letterCount(h) < 5 || strings.ToLower(h) != h || !endsField(line[j:]) && !orderNextRe.MatchString(line[j:]) || accountState(h) {
		return false
	}
	return true
}

// orderNextRe: an order's word and its number right after a name ("akun
// x order 7301…", "account x no. pesanan 7301…").
var orderNextRe = regexp.MustCompile(`(?i)^[ \t]+(?:(?:no|nomor|nmr)\.?[ \t]*)?(?:order|pesanan|orderan)\b[^\n]{0,12}?\d{10}`)

// accountState: the words that say what became of an account, not its
// name ("account closed", "akun diblokir").
func accountState(w string) bool {
	switch w {
	case "closed", "deleted", "hacked", "locked", "blocked", "disabled", "restricted", "removed", "verified", "unverified",
		"suspended", "banned", "frozen", "inactive", "active", "private", "public", "gone", "lost", "recovered", "restored",
		"diblokir", "terblokir", "dibanned", "dihapus", "ditutup", "hilang", "dibekukan", "nonaktif", "aktif", "diretas",
		"dihack", "kena", "aman", "terkunci", "dikunci", "please", "thanks", "thank", "makasih", "terima", "mohon", "tolong":
		return true
	}
	return false
}

// longestDigits is the length of the longest run of digits in s.
func longestDigits(s string) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// labelSepRe is the grammar of an account's label followed by a
// separator: an owner's word ("pemilik", "pemegang", "nama"), a platform
// ("tiktok", "tt"), the label's word (akun, account, acc, user, username,
// uname, handle, pengguna, id after a platform), a possessive, a platform,
// a word for its name ("name", "nama", "holder", "owner", "id"), then ":",
// "=" or a spaced dash, spaces allowed around each.
var labelSepRe = regexp.MustCompile(`(?i)(?:^|[\s(,;*|/])` +
	`(?:(?:pemilik|pemegang|nama|my|our)\s+)?(?:(?:tiktok|tik\s*tok|tt)\s+)?` +
	`(?:akun(?:nya)?|akn|accounts?|acc|acct|a/c|user\s*name(?:nya)?|usernamenya|user|uname|handle|pengguna(?:nya)?|profile|profil(?:e|nya)?|(?:tiktok|tik\s*tok|tt)\s+id|(?:tiktok|tt)(?:nya)?)(?:\s*\((?:tiktok|tik\s*tok|tt)\))?` +
	`(?:\s+(?:saya|aku|ku|gue|gw|gua|kami|kita|my|mine|our|sy|ak))?(?:\s+(?:tiktok|tik\s*tok|tt)(?:nya|ku)?)?` +
	`(?:\s+(?:name|nama|holder|owner|pemilik|id|username|handle)(?:nya)?)?(?:\s+(?:saya|aku|ku|gue|gw|kami|my|mine|our|sy))?` +
	`\*?(?:[ \t]*(?:[:=]|->|=>|→)[ \t]*|[ \t]+[-–—][ \t]*)\*?@?([A-Za-z0-9][A-Za-z0-9._]{1,29})`)

// bareLabelRe: a platform's name alone before a dash.
var bareLabelRe = regexp.MustCompile(`^(?:tiktok|tik\s*tok|tt)(?:nya)?\s*\*?\s+[-–—]`)

// endsField reports whether what follows a name ends its field: the end
// of the line, or a bracket or a punctuation mark before it.
func endsField(rest string) bool {
	rest = strings.TrimLeft(rest, " \t*")
	return rest == "" || rest[0] == '\n' || rest[0] == '\r' || strings.ContainsRune(",;)(.!", rune(rest[0]))
}

// displayName reports whether the name at text[i:j], after a label, is the
// first word of a display name ("Nama akun: Kopi Pagi"): a word that does
// not look like a handle, followed on its line by another word, one of the
// two capitalised.
func displayName(text string, i, j int) bool {
	h := text[i:j]
	if handleLike(h) {
		return false
	}
	rest := text[j:]
	if !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "\t") {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || !unicode.IsLetter(rune(rest[0])) {
		return false
	}
	return unicode.IsUpper(rune(h[0])) || unicode.IsUpper(rune(rest[0]))
}

// addHandle adds h unless it is a word, digits, a brand, a host or a file.
func addHandle(out *[]accountCandidate, h string, w int) bool {
	h = strings.TrimRight(h, ".")
	if len(h) < 2 || isWordNotHandle(h) || !strings.ContainsFunc(h, unicode.IsLetter) || mailDomainRe.MatchString(h) ||
		strings.HasPrefix(strings.ToLower(h), "tiktok.") || strings.HasPrefix(strings.ToLower(h), "www.") || isFileName(strings.ToLower(h)) {
		return false
	}
	*out = append(*out, accountCandidate{handle: "@" + h, weight: w})
	return true
}

// signatureCandidates reads the account names of a signature or sign-off:
// what accountCandidates finds, the names on a line of social handles, and
// a handle in brackets after a name. A plain name is no handle.
func signatureCandidates(text string) []accountCandidate {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	out := accountCandidates(text)
	for _, m := range socialLineRe.FindAllStringSubmatchIndex(text, -1) {
		if m[7] < len(text) && strings.ContainsRune("@/:", rune(text[m[7]])) {
			continue
		}
		// A TikTok label before the name beats another network's
		// ("IG: kopipagi | TT: kopi.pagi.id").
		w := 2
		if label := strings.ToLower(text[m[2]:m[3]] + text[m[4]:m[5]]); strings.Contains(label, "tiktok") || strings.Contains(label, "tik tok") || strings.HasPrefix(label, "tt") {
			w = 3
		}
		addHandle(&out, text[m[6]:m[7]], w)
	}
	for _, m := range bracketRe.FindAllStringSubmatch(text, -1) {
		if handleLike(m[1]) && !strings.ContainsFunc(m[1], func(r rune) bool { return r >= '0' && r <= '9' }) || strings.Contains(m[1], "_") {
			addHandle(&out, m[1], 2) // "(toko.dewi.id)", not "(0271)"
		}
	}
	// "Bu Rini / rini.craft", "Theo (runs loaves.of.theo)": a lower-case
	// name with a dot or an underscore standing on its own or closing a
	// bracket; not a site ("rinabakes.example").
	for _, m := range signTokenRe.FindAllStringSubmatchIndex(text, -1) {
		h := text[m[2]:m[3]]
		if m[3] < len(text) && !strings.ContainsRune(" \t\r\n/|,;)", rune(text[m[3]])) {
			continue
		}
		before := text[max(0, m[2]-4):m[2]]
		if letterCount(h) < 3 || !strings.ContainsAny(h, "._") || strings.HasSuffix(strings.ToLower(before), "www.") || siteRe.MatchString(h) ||
			strings.Count(h, ".") > 0 && strings.ContainsFunc(h, func(r rune) bool { return r >= '0' && r <= '9' }) && !strings.ContainsFunc(h, unicode.IsLetter) {
			continue
		}
		addHandle(&out, h, 1)
	}
	return out
}

var (
	// signTokenRe: a name after a space or a separator; what follows it
	// is checked apart, so that it starts no next match ("(runs x.y)").
	signTokenRe = regexp.MustCompile(`(?m)(?:^|[\s/|,;~\-–—(])([a-z][a-z0-9._]{2,29}[a-z0-9_])`)
	siteRe      = regexp.MustCompile(`\.(com|net|org|co|io|biz|info|me|example|co\.id|or\.id|ac\.id|go\.id|web\.id|my\.id|sch\.id)$`)
)

// greetingCandidates reads the account a forwarded notice greets ("Halo
// warungmakyati,"): one name that looks like a handle, or is all lower
// case as the platform writes usernames; not a person's capitalised name.
func greetingCandidates(text string) []accountCandidate {
	var out []accountCandidate
	for _, m := range greetingRe.FindAllStringSubmatch(text, -1) {
		h := m[1]
		if isGreetingWord(h) || !handleLike(h) && strings.ToLower(h) != h || len(h) < 3 {
			continue
		}
		addHandle(&out, h, 2)
	}
	// A handle as the platform writes it, where a notice names its
	// account: after a greeting ("Hey x.y 👋"), after "for" ("Promotion
	// summary for x.y", "Your promotion for x.y has ended"), addressed
	// near the start of a line or after a comma ("x.y, ada masalah …",
	// "Congrats x.y!", "Thanks for your purchase, x.y!").
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(line, " \t>")
		dottedNames(line, func(h string, i, j int) {
			before := strings.TrimRight(line[:i], " \t*\"“'")
			word := strings.ToLower(before[strings.LastIndexAny(before, " \t,")+1:])
			after := strings.TrimLeft(line[j:], " \t*\"”'")
			addressed := after == "" || after[0] == ',' || after[0] == '!' || after[0] >= 0x80
			if isNoticeWord(word) || addressed && (strings.HasSuffix(before, ",") || len(strings.Fields(before)) <= 2) {
				addHandle(&out, h, 2)
			}
		})
	}
	return out
}

// isNoticeWord: a word after which a notice names the account: a
// greeting, "summary for x", "promosi untuk x", "promosi dari akun x".
func isNoticeWord(w string) bool {
	switch w {
	case "for", "untuk", "buat", "akun", "account", "halo", "hallo", "hai", "hi", "hello", "hey", "dear", "yth", "yth.", "kepada":
		return true
	}
	return false
}

func isGreetingWord(w string) bool {
	switch strings.ToLower(w) {
	case "kak", "kakak", "admin", "min", "team", "tim", "there", "all", "semua", "bapak", "ibu", "pak", "bu", "sir", "madam",
		"creator", "kreator", "pengguna", "user", "sobat", "teman", "customer", "pelanggan", "support", "cs", "gan", "sis", "bro",
		"guys", "everyone", "everybody", "folks", "friend", "friends", "bang", "mas", "mbak", "dek", "adik", "bestie", "gaes",
		"sayang", "dear", "rekan", "partner", "seller", "penjual", "pembeli", "buyer", "member", "anggota", "agan", "sista":
		return true
	}
	return false
}

// fieldLineRe: a line that gives a request's field ("Akun: x", "No.
// pesanan: …"), which no sign-off has.
var fieldLineRe = regexp.MustCompile(`(?im)^\s*(?:nama\s+akun|akun|account|user\s*name|username|user|uname|order|pesanan|no\.?|nomor|id|invoice|transaksi)\b[^:\n]{0,24}:`)

// splitSignOff cuts the sign-off from the end of a text: what follows a
// closing word ("Salam,", "Thanks,", "Hormat kami,") among the last lines,
// or on the same line ("Salam, Dewi (toko.dewi.id)").
func splitSignOff(text string) (body, signoff string) {
	lines := strings.Split(text, "\n")
	seen := 0
	for i := len(lines) - 1; i >= 0 && seen < 6; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		seen++
		if loc := closingRe.FindStringIndex(l); loc != nil && len(l) <= 60 {
			signoff := strings.TrimSpace(l[loc[1]:] + "\n" + strings.Join(lines[i+1:], "\n"))
			if requestFields(signoff) {
				break // "Terima kasih.\nAkun: x\nOrder: …": the request's fields, after the thanks
			}
			return strings.Join(lines[:i], "\n"), signoff
		}
		if i < len(lines)-1 && closingEndRe.MatchString(l) {
			// "Mohon dibantu nggih. Suksma.\n\nKomang Ayu\nx di TikTok":
			// thanks ending the last paragraph, the name below.
			signoff := strings.TrimSpace(strings.Join(lines[i+1:], "\n"))
			if signoff == "" || requestFields(signoff) {
				break
			}
			return strings.Join(lines[:i+1], "\n"), signoff
		}
		if len(l) > 60 {
			break
		}
	}
	return nameBlock(text)
}

// nameBlock cuts a sign-off that has no closing word: a last paragraph of
// a name on its own line ("Ayu", "Bu Rini", "Jo Mensah") and one or two
// short lines under it, one of them naming a network ("IG & TikTok: x",
// "tt x.y"). A last paragraph that gives the request's fields is the
// request's.
func nameBlock(text string) (body, signoff string) {
	t := strings.TrimRight(text, " \t\r\n")
	cut := strings.LastIndex(t, "\n\n")
	if cut < 0 {
		return text, ""
	}
	block := strings.Split(strings.TrimSpace(t[cut:]), "\n")
	if len(block) >= 3 && valediction(strings.TrimSpace(block[0])) {
		block = block[1:] // "Ta,\nCallum\nTikTok - x": a farewell of its own before the name
	}
	if len(block) < 2 || len(block) > 4 || !personName(strings.TrimSpace(block[0])) || fieldWordRe.MatchString(block[0]) {
		return text, ""
	}
	social := false
	for _, l := range block[1:] {
		l = strings.ToLower(strings.TrimSpace(l))
		if len(l) > 60 || fieldLineRe.MatchString(l) && !accountFieldRe.MatchString(l) {
			return text, ""
		}
		// a network's line, or a business's line with its handle
		// ("Koekie Bakes, Stellenbosch (@koekie.bakes)"), not an account's field
		social = social || socialLineRe.MatchString(l) || !accountFieldRe.MatchString(l) && (mentionRe.MatchString(l) && !strings.Contains(l, ".com") ||
			strings.Contains(l, "(") && bracketHandle(l))
	}
	if !social {
		return text, ""
	}
	return t[:cut], strings.TrimSpace(t[cut:])
}

// valediction reports whether a line is a farewell of one to three words
// ending in a comma, whatever its words ("Ta,", "Much love,", "Peace
// out,", "Wassalam,"): not a sentence, not a field.
func valediction(l string) bool {
	f := strings.Fields(l)
	return len(f) >= 1 && len(f) <= 3 && len(l) <= 24 && strings.HasSuffix(l, ",") && !strings.ContainsAny(l, ":@0123456789")
}

// bracketHandle reports whether a line has a handle in brackets
// ("(ironrange.guides)", "(@koekie)").
func bracketHandle(l string) bool {
	for _, m := range bracketRe.FindAllStringSubmatch(l, -1) {
		if strings.HasPrefix(strings.TrimSpace(m[0][1:]), "@") || handleLike(m[1]) && letterCount(m[1]) >= 4 && !mailDomainRe.MatchString(m[1]) {
			return true
		}
	}
	return false
}

// personName reports whether a line is only a person's name: one to three
// capitalised words of letters ("Ayu", "Bu Rini", "Jo Mensah").
func personName(l string) bool {
	f := strings.Fields(l)
	if len(f) == 0 || len(f) > 3 || len(l) > 30 {
		return false
	}
	for _, w := range f {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
			return false
		}
	}
	return true
}

// requestFields reports whether what follows a closing word gives the
// request's fields rather than a signature's: a field line first
// ("Thanks.\nAkun: x", "Makasih.\nakun x.y order 7301…"), or an order's
// anywhere. A field line under a name
// ("Hormat kami,\nDewi\nStaf Keuangan\nAkun TikTok resmi: x") is the
// signature's.
func requestFields(signoff string) bool {
	first, _, _ := strings.Cut(signoff, "\n")
	if fieldLineRe.MatchString(first) || fieldWordRe.MatchString(first) {
		return true
	}
	for _, l := range strings.Split(signoff, "\n") {
		if m := fieldLineRe.FindString(l); m != "" && !accountFieldRe.MatchString(m) {
			return true
		}
	}
	return false
}

// fieldWordRe: a line that begins with a field's word and no colon
// ("Thanks!\nakun kopi.pagi, order 7301…").
var fieldWordRe = regexp.MustCompile(`(?i)^\s*(?:nama\s+akun|akun|account|user\s*name|username|uname|order|pesanan|no\.?\s*pesanan|nomor|invoice)\b`)

// accountFieldRe: a field line's label that names an account.
var accountFieldRe = regexp.MustCompile(`(?i)^\s*(?:nama\s+akun|akun|account|user\s*name|username|user|uname)\b`)

// pats compiles patterns for lower-cased text. A leading \b before a word
// of four letters or more is dropped: then the pattern starts with a
// literal, which regexp finds with a fast substring search instead of
// trying every position.
func pats(weight int, exprs ...string) []pattern {
	out := make([]pattern, len(exprs))
	for i, e := range exprs {
		if strings.HasPrefix(e, `\b`) && leadingWord.MatchString(e[2:]) {
			e = e[2:]
		}
		out[i] = newPattern(e, weight)
	}
	return out
}

var leadingWord = regexp.MustCompile(`^[a-z]{4}`)

func score(text string, ps []pattern) int {
	var ix textIndex
	x := ix.indexed(text)
	n := 0
	for _, p := range ps {
		if p.matchIn(text, x) {
			n += p.weight
		}
	}
	return n
}

var refundPatterns = append(pats(3, `\brefund`, `money back`, `(leftover|remaining|unused|unspent)\s+(budget|money|balance|amount)`,
	`(budget|money|balance|payment|funds|coins|cash)\s+back`, `(return|give\s+back|send\s+back)\s+(my|the)\s+(money|payment|budget|funds|coins)`, `\bget\s+(it|that|this)\s+back`, `pengembalian\s+dana`, `kembalikan\s+(dana|uang|saldo|koin)`,
	`(uang|dana|saldo|koin)(nya|ku| saya| aku)?\s+(di)?kembali`, `(dana|uang|saldo)(nya)?\s+(bisa\s+)?balik`, `(uang|dana|saldo|duit|koin)(nya|ku)?\s+([a-z0-9]+\s+){0,3}(di)?(kembali\w*|balik\w*)`, `\bbalikin\b`, `reimburs`,
	`get\s+(my|the)\s+money`, `ganti\s+rugi`, `dikembalikan`, `\bpengembalian(nya)?\b`,
	// typed short or misspelt: "duitnya blikin", "tlg refnd"
	`\b(di)?ba?li?ki?n\b`, `\b(refnd|rfnd|refun|reffund|refound|refund2)\b`,
	// one of two charges asked back: "need one of them back", "the extra
	// payment back"
	`\bone\s+of\s+(them|those|the\s+\w+)\s+back\b`, `\b(extra|second|duplicate|double)\s+(one|charge|payment|debit)\s+back\b`,
	// what is left asked back: "get the rest back", "the unused portion
	// returned", "what's left back", "sisanya bisa balik"
	`\b(rest|remainder|remaining|unused|unspent|leftover|left\s*over)(\s+(of\s+(it|the\s+\w+|my\s+\w+)|[a-z]+))?\s+(back|returned|refunded|reimbursed|credited)\b`,
	// the one in hand asked back: "can I get this one back?", "could I
	// have that amount back please"; not "get this one back up and running"
	`\b(get|have|want|need)\s+(this|that|these|those)\s+(one|ones|amount|sum|charge|payment|money|boost|promo|promotion)\s+back(\s*[.,!?;)]|\s*$|\s+(please|pls|plz|thx|thanks|to\s+(me|my|our)|into|onto))`,
	// an amount asked back: "can I have the €15 back", "my $35 returned",
	// "the 250 pesos back" (in Indonesian the money's word comes with it,
	// above)
	`(([€$£¥₹]|\b(rp|usd|eur|gbp|idr|rm|php|inr|aud|cad|mxn|sgd)\.?)\s*\d[\d.,]*|\b\d[\d.,]*\s*(k|rb|ribu|jt|juta|euros?|dollars?|pesos?|pounds?|quid|bucks|rupiah|ringgit|usd|eur|gbp|idr)\b)\s+(back|returned|refunded|reimbursed)(\s*[.,!?;)]|\s*$|\s+(please|pls|plz|thanks|to\s+(me|my|our)|into|onto|for\b|as\s+well|too))`,
	`\bwhat'?s\s+(left|unused|unspent|remaining|left\s+over)\s+(back|returned|refunded)\b`, `\bget\s+back\s+(the\s+rest|the\s+remainder|what'?s\s+left|what\s+(is|was)\s+left)\b`,
	`\bsisa(nya|\s+(saldo|dana|uang|duit|koin|budget|anggaran)(nya)?)?\s+([a-z]+\s+){0,2}?(di)?(kembali\w*|balik\w*|refund\w*)`,
	// given back in regional words: Tegal "balikna duite", Osing "paran
	// sisane biso dibalekaken", Javanese "balekno duwitku"; creole "give
	// back di $25", "gimme back mi money"
	`\b(di)?(balikna|balekna|balekno|balikno|mbalekno|mbalikna|balekaken|balikaken|balekake|balikake)\b`,
	`\b(give|gi|gimme|sen|send)\s+(back\s+)?(mi|me|di|de)\s+(money|moni|cash|coins|[$€£]\s*\d)`),
	pats(1, `\bbayar`, `\bpaid\b`, `\bcharged?\b`, `\bsaldo\b`, `\bdana\b`, `\bkeluhan\b`, `\bcomplain`)...)

var revocationPatterns = pats(4, `\brevok`, `\brevoc`, `withdraw\w*\s+(my\s+|that\s+|this\s+|the\s+|our\s+)?(authori[sz]ation|consent|permission)`,
	`(stop|quit|don'?t|do not)\s+(using|use|promoting|promote)\s+my\s+(content|video|videos|account)`,
	`(remove|cancel|end|terminate)\s+(my\s+|whatever\s+|any\s+|all\s+|their\s+|the\s+)?(remaining\s+|existing\s+)?(authori[sz]ation|permission|consent)`, `\bauthori[sz]ation\b`, `\bopt[ -]?out\b`,
	`\bcabut`, `\bmencabut`, `\bpencabutan`, `\botorisasi`, `\bizin\s+(penggunaan|konten|promosi|iklan)`,
	`(tidak|gak|nggak|ga|tdk)\s+(mau|ingin|mengizinkan)\s+(lagi\s+)?(konten|video)(nya)?\s+(saya\s+|aku\s+|ku\s+)?(dipakai|dipake|digunakan|dipromosikan|untuk|buat)`,
	`stop\s+(pake|pakai|memakai|menggunakan|gunakan)\s+(video|konten)`, `(dipake|dipakai|digunakan)\s+(buat|untuk|jadi)\s+iklan`,
	`(hapus|tarik|menarik|batalkan|cabut|akhiri|mengakhiri|hentikan|putuskan)\s+(semua\s+|segala\s+|sisa\s+)?(izin|persetujuan|consent|otorisasi)`, `(jangan|don'?t)\s+(pakai|pake|gunakan|use)\s+(lagi\s+)?(konten|video|content|videos)`,
	`(remove|revoke|withdraw)\s+(my\s+)?(permission|consent)`, `(permission|consent)\s+for\s+(ads|promotion)`,
	`(rescind|retract|take\s+back|pull\s+back)\w*\s+(my\s+|the\s+)?(\w+\s+)?(authori[sz]ation|consent|permission|approval)`,
	`(hapus|tarik|menarik|batalkan|membatalkan|cabut|mencabut)\s+kembali\s+(izin|ijin|persetujuan|otorisasi)`, `\bijin\s+(penggunaan|konten|promosi|iklan)`,
	// Not to be run as an ad again, in any words: an order ("jangan
	// dipasang lagi jadi iklan", "don't run it as an ad"), a wish no longer
	// held ("kada handak lagi dipakai gasan iklan", "no longer want that
	// video shown as an advert"), a request ("mohon supaya video saya tidak
	// lagi diputar sebagai iklan"), or no commercial use ("stop using that
	// video commercially"); and the code given to a brand turned off.
	`\b(jangan|jgn|ojo|ojok|don'?t|do\s+not|stop|quit|cease|berhenti)\s+([\w']+\s+){0,2}?`+adUseVerb+`\s+([\w']+\s+){0,3}?`+adAs+`\s+(an?\s+|any\s+|the\s+|their\s+|his\s+|her\s+|its\s+|mereka\s+)?`+adWord,
	`\b(no\s+longer|not|don'?t|do\s+not|tidak|tdk|gak|ga|nggak|ngga|kada|ndak|nda|ora|ogah)\s+(lagi\s+)?(want|wish|mau|ingin|handak|pengen|rela|izinkan|mengizinkan|allow)\s+(lagi\s+)?([\w']+\s+){0,3}?`+adUseVerb+`\s+([\w']+\s+){0,3}?`+adAs+`\s+(an?\s+|any\s+|the\s+)?`+adWord,
	`\b(mohon|tolong|harap|please|minta|pastikan|make\s+sure)\s+((supaya|agar|biar|that|the|my|this|our|it|its|it's|video\w*|clips?|klip\w*|konten\w*|content|saya|kami|aku|ku|ini|itu|tersebut|is|are|will|these|those)\s+){0,4}(tidak|tdk|jangan|gak|not|never|no\s+longer)\s+(lagi\s+)?(be\s+)?`+adUseVerb+`\s+([\w']+\s+){0,3}?`+adAs+`\s+(an?\s+|any\s+|the\s+)?`+adWord,
	`\b(stop|quit|cease|no\s+longer|don'?t|do\s+not|jangan)\s+(using|use|running|showing|promoting)\s+([\w']+\s+){0,3}?(commercially|for\s+(commercial|business)\s+\w+|for\s+(ads|adverts|advertising))`,
	`\b(kode|code)\s+(yang|yg|that|which|i|we)\s+([\w']+\s+){0,6}?(dinonaktifkan|dimatikan|dicabut|deactivated|disabled|revoked|turned\s+off)`,
	// the permission named first, then undone: "izin ini saya batalkan",
	// "persetujuannya aku tarik", "I'd like that permission pulled",
	// "consent withdrawn"
	`\b(izin|ijin|persetujuan|otorisasi)(nya)?\s+(ini\s+|itu\s+|tersebut\s+|tadi\s+)?(saya\s+|aku\s+|kami\s+|sy\s+|ku\s+|gue\s+|gw\s+)?(mau\s+|ingin\s+)?(di|ku)?(batalkan|batalin|cabut|tarik|hapus|stop|akhiri|hentikan)\b`,
	`\b(permission|consent|authori[sz]ation|approval)\s+(\w+\s+){0,2}?(pulled|withdrawn|revoked|rescinded|retracted|cancell?ed|removed|taken\s+back|ended|terminated)\b`,
	// the brand made unable to use it: "make it so they can't use it",
	// "so they can't put my video in ads", "biar mereka gak bisa pakai
	// video saya lagi"
	`\b(so|so\s+that|such\s+that|make\s+it\s+so)\s+(they|the\s+brand|the\s+advertiser|the\s+company|\w+)\s+(can'?t|cannot|can\s+no\s+longer|won'?t\s+be\s+able\s+to|are\s+not\s+able\s+to|no\s+longer\s+can)\s+(use|run|put|show|feature|keep\s+using)\b`,
	`\b(biar|agar|supaya|sehingga)\s+(mereka|brand\w*|pengiklan|perusahaan|pihak\s+\w+|\w+)\s+(itu\s+|tsb\s+|tersebut\s+)?(gak|ga|tidak|tdk|nggak|ngga|enggak|tak|ndak)\s+(bisa|boleh|dapat)\s+(lagi\s+)?(pakai|pake|memakai|menggunakan|gunakan|pasang|memasang|tayangkan|menayangkan)\b`,
	// the same said as what the writer wants, of the content: "What I
	// want is that they cannot use that video anymore", "Yang saya mau,
	// distributor itu tidak lagi memakai video-video saya"
	`\b((is|was)\s+that|want\s+that|wish\s+that|ensure(\s+that)?|make\s+sure(\s+that)?)\s+(they|(the|that|this)\s+\w+|[\w&.-]+(\s+[\w&.-]+)?)\s+(can'?t|cannot|can\s+no\s+longer|won'?t\s+be\s+able\s+to|are\s+not\s+able\s+to|no\s+longer|don'?t|do\s+not|doesn'?t|does\s+not|won'?t|will\s+not|shouldn'?t|should\s+not)\s+(use|keep\s+using)\s+((any|all|none|one)\s+of\s+)?(my|our|that|this|the|her|his|[\w.-]+'s)\s+([\w'-]+\s+)?(videos?|clips?|content|reels?|photos?|face)\b`,
	`\b(yang\s+(saya|aku|kami|sy)\s+(mau|minta|inginkan|harapkan)|(saya|aku|kami|sy)\s+(mau|ingin|minta)\s+(agar|supaya|biar))\s*[,:]?\s+([\w-]+[,:]?\s+){1,5}?(tidak|tdk|gak|ga|nggak|ngga|enggak|tak|ndak)\s+(lagi\s+)?((bisa|boleh|dapat)\s+(lagi\s+)?)?(memakai|menggunakan|pakai|pake|memasang|pasang|menayangkan)\s+(video|konten|klip|foto|karya)`,
	// a brand's use no longer welcome: "not comfortable with them still
	// using it", "gak nyaman video saya masih dipakai mereka"
	`\b(not|no\s+longer|isn'?t|am\s+not|i'?m\s+not)\s+(comfortable|ok|okay|happy|fine)\s+with\s+(them|the\s+brand|the\s+advertiser|\w+)\s+(still\s+)?(using|running|showing|featuring)\b`,
	`\b(gak|ga|tidak|tdk|nggak|ngga|kurang)\s+(nyaman|rela|ikhlas)\s+(\w+\s+){0,4}?(masih\s+)?(dipakai|dipake|digunakan|ditayangkan|dipasang)\b`,
	// a refund given up for the revocation: "I'd rather revoke than
	// refund", "mending dicabut aja daripada refund"
	`\brather\s+(revoke|withdraw|cancel\s+the\s+(authori[sz]ation|permission))\w*\s+([\w']+\s+){0,3}?than`,
	// "changed my mind about letting them use it", "taken out of their ad
	// campaign", "gak izinin lagi video saya dipakai", "end the brand's
	// access to my clip"
	`\bchanged\s+(my|our)\s+minds?\s+(about|on)\s+(letting|allowing|giving|the\s+(authori[sz]ation|permission|consent|licen[cs]e))`,
	`\b(video|clip|content|reel|post|konten|klip)\w*\s+(\w+\s+)?(taken|pulled|removed|dropped)\s+(out\s+of|from)\s+(their|its|his|her|the\s+brand'?s?|the\s+advertiser'?s?)\s+(\w+\s+)?(ads?|adverts?|advertising|campaigns?|promotions?|commercials?)\b`,
	`\b(gak|ga|tidak|tdk|nggak|ngga|enggak|ndak)\s+(izinin|ngizinin|mengizinkan|izinkan|ijinin|ngijinin|kasih\s+izin|kasih\s+ijin|ngasih\s+izin)\s+(lagi\s+)?(\w+\s+){0,3}?(dipakai|dipake|digunakan|dipasang|ditayangkan|dijadikan|dijadiin|pakai|pake)\b`,
	`\b(end|remove|cut\s+off|cut|stop|turn\s+off|terminate)\s+(the\s+brand'?s|their|the\s+advertiser'?s|the\s+company'?s|[a-z]+'s)\s+(access|rights?|licen[cs]e|permission|usage\s+rights)\s+(to|for|over)\b`,
	// a former partner's right or access ended: "mereka tidak berhak lagi
	// memakai video-video saya", "akses mereka ke konten saya diakhiri",
	// "they no longer have the right to use my clips"
	`\b(tidak|tdk|gak|ga|nggak|ngga|tak)\s+(lagi\s+)?(berhak|punya\s+hak|memiliki\s+hak|boleh)\s+(lagi\s+)?(untuk\s+)?(memakai|menggunakan|pakai|pake|mempromosikan|menayangkan|mengiklankan)\s+(\w+\s+)?(video|konten|klip|karya)`,
	`\b(no\s+longer|don'?t|do\s+not|doesn'?t|does\s+not)\s+(have|has|hold)\s+(the\s+|any\s+)?(rights?|licen[cs]e|permission)\s+to\s+(use|run|post|feature|promote|advertise\s+with)\s+(my|our|her|his)\s+`,
	`\bakses\s+(mereka|brand\w*|agensi\w*|agency|pengiklan|perusahaan|pihak\s+\w+|\w+)\s+(ke|atas|terhadap|untuk)\s+(konten|video|klip|akun|karya)[\w-]*\s+(saya\s+|aku\s+|kami\s+|ku\s+|sy\s+)?(\w+\s+)?(di)?(akhiri|putus|cabut|hentikan|tutup|stop|matikan|putuskan)\b`,
	// the same, the verb first: "mohon putuskan akses Toko Melati ke video
	// saya", Manado "putus akan dorang pe akses ke kita pe konten", "end
	// the access the agency has to my clips"
	`\b(putus\w*|memutus\w*|cabut|mencabut|akhiri|mengakhiri|hentikan|menghentikan)\s+(akan\s+|saja\s+|aja\s+)?([\w-]+\s+){0,3}?akses\s+([\w-]+\s+){0,3}?(ke|atas|terhadap|untuk|pada)\s+([\w-]+\s+){0,3}?(konten|video|klip|karya|foto)`,
	`\b(end|cut\s+off|terminate|revoke|remove|block|shut\s+off)\s+(the\s+|their\s+|any\s+|all\s+)?access\s+([\w']+\s+){0,4}?to\s+(my|our|her|his|the)\s+([\w-]+\s+)?(videos?|clips?|content|reels?|posts?|photos?)\b`,
	// someone else not to be let use it again: "don't let them use it
	// again", "don't allow the shop to run my reel", "never let them use it
	// in any new ads"; a pronoun only with "again" or an ad after it
	`\b(don'?t|do\s+not|never|stop)\s+(let|letting|allow|allowing|permit|permitting)\s+(them|him|her|the\s+\w+|\w+)\s+(to\s+)?(use|run|show|feature|post|repost|keep\s+using)\s+((it|them|this|that)\s+(again|anymore|any\s+more|(in|for|as)\s+([\w-]+\s+){0,2}?(ads?|adverts?|advertising|promotions?|commercials?)\b)|(my|our|her|his|the)\s+([\w-]+\s+)?(videos?|clips?|content|reels?|photos?|face)\b)`,
	// taken out of someone else's ads, said as an order: "remove it from
	// their ads", "take my reel off the shop's promotions", "turunkan
	// video itu dari iklan mereka"
	`\b(remove|pull|take|delete|drop)\s+(it|them|this|that|(my|our|her|his|the)\s+([\w-]+\s+)?(videos?|clips?|content|reels?|posts?|photos?))\s+(down\s+|out\s+)?(from|out\s+of|off)\s+(their|its|his|her|the\s+(brand|shop|store|company|advertiser|agency|business)'?s?|[a-z]+'s)\s+([\w-]+\s+)?(ads?|adverts?|advertising|campaigns?|promotions?|commercials?)\b`,
	// someone else made to stop, or told they may not: "make them stop
	// putting it in their ads", "get the shop to quit running my reel in
	// its adverts", "they are not to use it any more", "suruh mereka
	// berhenti pakai video saya di iklannya"
	`\b(make|get|tell|have|ask)\s+(them|him|her|the\s+[\w'-]+(\s+[\w'-]+)?|[a-z]+)\s+(to\s+)?(stop|quit|cease)\s+(using|putting|running|showing|featuring|posting|playing)\s+(it|them|this|that|(my|our|her|his|the)\s+([\w-]+\s+)?(videos?|clips?|content|reels?|photos?|face))\s+(in|on|as|for|into)\s+([\w'-]+\s+){0,2}?`+adWord,
	`\b(they|he|she|the\s+[\w'-]+(\s+[\w'-]+)?)\s+(are|is)\s+not\s+to\s+(use|run|show|put|feature|play)\s+(it|them|my\s+[\w-]+|our\s+[\w-]+)\s+(any\s*more|again|any\s+longer|ever\s+again)\b`,
	`\b(suruh|minta|mintakan|bilang\s+ke|kasih\s+tau)\s+(mereka|dia|toko\s+[\w-]+|[\w-]+)\s+(untuk\s+|buat\s+|supaya\s+|agar\s+|biar\s+)?(berhenti|stop|jangan\s+lagi|tidak\s+lagi|gak\s+lagi)\s+(memakai|pakai|pake|menggunakan|gunakan|memasang|pasang|masang|menayangkan|nayangin|memutar)\s+(video|konten|klip|foto)\w*\s+([\w-]+\s+){0,3}?(di|dalam|untuk|buat|sebagai|jadi)\s+(iklan|promosi)`,
	`\b(turunkan|hapus|hapuskan|tarik|keluarkan|copot|cabut)\s+(video|konten|klip|foto)\w*\s+([\w-]+\s+){0,2}?dari\s+(iklan|promosi|kampanye)\w*\s+(mereka|dorang|dong|brand\w*|toko\s+\w+|perusahaan|pengiklan|agensi\w*|itu|tersebut)\b`)

// The words of an ad's use, for the revocations above: a verb of use or
// showing, a word for "as" or "for", and the ad.
const (
	adUseVerb = `(run|running|use|used|using|show|shown|showing|serve|served|display\w*|put|diputar|putar|dipakai|dipake|pakai|pake|digunakan|gunakan|dipasang|pasang|ditayangkan|ditampilkan|tatampil|tampil|muncul|dijadikan|jadikan|dijadiin|jadiin|dipromosikan|dipromosiin|feature|featured|featuring)`
	adAs      = `(as|sebagai|jadi|dadi|untuk|buat|gasan|for|in|into|dalam)`
	adWord    = `(iklan\w*|ads?|adverts?|advertising|advertisements?|promosi\s+berbayar|paid\s+(promotions?|ads?|placements?)|sponsored\s+\w+|commercials?)\b`
)

// waitingPats: the promotion has not begun yet ("still scheduled",
// "belum jalan, masih terjadwal", "nothing has run yet"), words of
// technical_error that name no fault: a promotion the writer no longer
// wants because their own plans changed is changed_mind all the same
// (adjustReason, plansChanged).
var waitingPats = pats(3, `belum\s+(juga\s+)?(tayang|jalan|berjalan)`, `\b(masih|still)\s+['"“‘]?\s*(scheduled|dijadwalkan|terjadwal|queued)\b`,
	`\bnothing\s+(has\s+|had\s+|ever\s+)?(run|ran|aired|played|gone\s+out|went\s+out|gone\s+live|started)\b`)

// regionalTwice: "twice" in regional words (Javanese and Tegal "ping
// pindo", "kaping kalih", "rong kali", Minang "duo kali", Toba "dua
// hali"), for the duplicate charge; regionalSelf: "oneself" (Osing
// "dewek", Javanese "dhewe", Sundanese "sorangan", Banjar "saurang",
// Madurese "dhibik"), for closed early.
const (
	regionalTwice = `(ping|kaping)\s+(pindo|pindho|loro|kalih|dua|duo)|rong\s+(kali|pindo|pindho)|duo\s+kali|dua\s+hali`
	regionalSelf  = `dewek|dhewek|dewe|dhewe|dhewekan|sorangan|saurang|surang|dhibi|dhibik`
)

// claimExpr: what a product is said to do, for a stop over it: health,
// food or cure claims ("mengklaim khasiat", "health claims", "klaim
// kesehatan").
const claimExpr = `(mengklaim|diklaim|khasiat|berkhasiat|menyembuhkan|klaim\s+([\w-]+\s+){0,2}?(kesehatan|khasiat|medis|obat|menyembuhkan|manfaat|pangan|makanan|diet)|(health|medical|medicinal|food|diet|dietary|nutrition|nutritional|healing|therapeutic|weight[\s-]loss|cure|curative|wellness)\s+claims?|claims?\s+(about|of|that)\s+(\w+\s+){0,2}?(health|healing|cures?|curing|benefits?|medicine|medical|weight))\b`

// regionalNo: "not" in regional Malay and Indonesian (Minang indak,
// Kupang sonde, Papuan tra, Banjar kada, Palembang dak, Acehnese hana,
// Manado nyanda), for the changed mind's "not after all" and "not
// needed any more".
const regionalNo = `indak|ndak|sonde|tra|trada|tida|kada|dak|hana|nyanda`

// reasonPatterns: the words requesters use for each refund reason, in both
// languages. The reason that scores most wins; "other" is a concrete
// complaint no category takes (the wrong currency, a charge for a promotion
// never made, the wrong audience, a late start).
var reasonPatterns = []struct {
	reason tickets.Reason
	ps     []pattern
}{
	{tickets.ReasonDuplicateCharge, pats(5, `charged\s+(me\s+|us\s+|my\s+card\s+)?(twice|two\s+times|2\s*x)`, `(taken|deducted|debited|withdrawn|billed)\s+(\w+\s+)?(twice|two\s+times|2\s*x)`, `paid\s+(for\s+)?(it|this|the\s+promotion)\s+twice`, `(ke-?charge|kena\s+tagih|ditagih)\s+(dua|2)\s*(kali|x)`, `double[\s-]?charg`, `duplicate\s+(charge|payment|order|debit|transaction|deduction)`,
		`paid\s+twice`, `two\s+(\w+\s+)?(charges|payments|transactions|debits)`, `(tagihan|potongan|transaksi|pembayaran)(nya)?\s+(\w+\s+){0,2}(muncul\s+|masuk\s+|tercatat\s+)?(dua\s+kali|2\s*x|2\s+kali)`, `(terpotong|ditagih|terdebet|kepotong|dipotong|kena\s+potong|ketarik|terbayar|dibayar|membayar|bayar|kena\s+charge)\s+(dua|2)\s*(kali|x)`,
		`(paid|charged|billed|debited|taken)\s+(for\s+)?(\w+\s+){0,4}(twice|two\s+times)\b`, `(bayar|membayar|dibayar|terbayar|ditagih|terpotong|dipotong)\s+(\w+\s+){1,4}(dua\s+kali|2\s*x|2\s+kali)`,
		// "double" said of the charge, not of checking ("I double checked
		// the reel", "sudah dobel cek"): not before a word of check or cek
		`\b(dobel|double)(\s*([^-\w\s]|$)|\s+([^c\s]|c[^he\s]|ch[^e]))`, `(tagihan|pembayaran|potongan|pendebetan|pendebitan|debet|penarikan|pemotongan|transaksi)\s+(ganda|dobel|double)`, `terpotong\s+ganda`,
		// "ta potong dua kali" (Manado), "kepotong 2x", "potongnya dua kali"
		`\b(ta\s*|te|ke\s*|ter|di|kena\s+)?potong(nya)?\s+(dua|2)\s*(kali|x)\b`,
		// "went thru 2 times", "the payment posted twice", "charged again
		// for the same order", "ketagih lagi buat order yang sama"
		`\b(went\s+(thru|through)|gone\s+(thru|through)|processed|posted|came\s+out|shows?\s+up|showing|masuk|tercatat|muncul|keluar)\s+(\w+\s+){0,2}?(twice|two\s+times|2\s*(times|x|kali)|dua\s+kali)\b`,
		`\b(charged|billed|debited|taken|deducted|paid)\s+(\w+\s+)?again\s+for\s+the\s+same\b`, `\bsame\s+(charge|payment|amount|transaction|debit)\s+(\w+\s+)?(twice|two\s+times|2\s*x)`,
		`\b(dua|2)\s+(transaksi|tagihan|pembayaran|potongan)\s+(untuk|buat|utk|dari)\s+(satu|1|sebuah)\b`, `\b(second|extra|another)\s+(charge|debit|deduction)\s+for\s+the\s+same\b`,
		`\b(ditagih|tertagih|ketagih|terpotong|kepotong|dipotong|terdebet|didebet|ketarik|terbayar|kebayar)\s+(lagi|ulang)\s+(\w+\s+){0,2}?(order|pesanan|promosi|transaksi)\s+(yang|yg)\s+sama\b`,
		// two identical debits: "dua tarikan yang sama persis", "2 potongan
		// yg sama", "ditarik dua kali", "two identical charges"
		`\b(dua|2)\s+(tarikan|potongan|tagihan|transaksi|pembayaran|debit|mutasi)\s+(yang\s+|yg\s+)?(sama|identik|kembar|persis)\b`, `\b(ditarik|tertarik|narik|menarik)\s+(dua|2)\s*(kali|x)\b`,
		`\btwo\s+(identical|matching|same)\s+(charges|payments|debits|transactions|deductions)\b`,
		// "twice" in regional words: Tegal and Javanese "dipotong ping
		// pindo", "kepotong kaping kalih", "ditarik rong kali", Minang
		// "dipotong duo kali"; creole "dem charge mi two time"
		`\b(ta\s*|te|ke\s*|ter|di|kena\s+)?(potong|tagih|debet|tarik|sedot|jupuk|bayar|charge)\w*\s+(\w+\s+){0,2}?(`+regionalTwice+`)\b`,
		`\b(charged?|billed|debited|taken|deducted|paid|pay|tek|took|take)\s+(\w+\s+){0,3}?two\s+time\b`)},
	{tickets.ReasonRejected, slices.Concat(pats(4, `\brejected\b`, `di-?reject`, `\breject(ed)?\s+(by|sama|oleh)`, `not\s+approved`, `\bdisapproved\b`, `\bdeclined\b`, `failed\s+(the\s+)?review`,
		`\bditolak\b`, `kena\s+(reject|tolak)`, `(promo|promosi|iklan|ads?|boost)(nya|ku)?\s+(\w+\s+)?(di-?)?reject(ed)?\b`, `(tidak|tdk|gak|nggak)\s+(di)?setujui`, `(tidak|tdk|gak|nggak)\s+(dapat|bisa)\s+(di)?setujui`, `(could\s*n[o']?t|cannot|can'?t|unable\s+to)\s+(be\s+)?approve`,
		`(did\s*n[o']?t|did\s+not|does\s*n[o']?t)\s+pass\s+(the\s+)?(review|moderation)`, `(tidak|tdk|gak|nggak)\s+lolos`, `\bpenolakan\b`,
		// "it never got approved", "wasn't approved", "gak pernah di-approve"
		`\b(never|not|wasn'?t|isn'?t|was\s+not|is\s+not)\s+(even\s+)?(got\s+|get\s+|been\s+|getting\s+)?approved`, `(tidak|tdk|gak|ga|nggak|ngga)\s+(pernah\s+)?(di-?approve|lolos\s+review)`,
		// short and regional: "ga lolos peninjauan", "g lolos", "teu lulus",
		// "ga di-acc", "review-nya gagal", "didn't get through review"
		`\b(ga|g|gk|gx|ngga|enggak|engga|kaga|kagak|ndak|nda|ora|teu|tak)\s+(lolos|lulus)\b`,
		// regional "not" before the approval words: Papuan "tra lolos",
		// Kupang "sonde disetujui", Banjar "kada lulus", Palembang "dak
		// lolos", Manado "nyanda di-approve"
		`\b(`+regionalNo+`)\s+(pernah\s+)?(lolos|lulus|(di)?setujui|di-?approve|diapprove|di-?acc)\b`,
		// turned down for a cause, by whoever ("y'all turned it down for
		// “unsafe”", "they knocked my boost back as misleading", "denied
		// it as unsafe")
		`\b(turned|knocked)\s+(it|them|(my|the|our)\s+(\w+\s+)?(ad|advert|boost|promotion|promo|campaign|video|clip))\s+(down|back)\s+(for|because|as|due\s+to|over|citing|saying|on\s+grounds)\b`,
		`\b(denied|refused|declined|disallowed|blocked)\s+(it|them|(my|the|our)\s+(\w+\s+)?(ad|advert|boost|promotion|promo|campaign|video|clip))\s+(as|for\s+being|because\s+of|due\s+to|over|citing|on\s+grounds)\b`,
		// "knocked back in review", "moderation said no to my ad", "gagal
		// review", "the boost was refused by moderation"
		`\bgagal\s+(di)?(review|tinjau|peninjauan|moderasi|verifikasi|lolos)`, `\btertolak\b`, `\bdinyatakan\s+(tidak|tdk|gak|ga)\s+(lolos|memenuhi|layak|lulus)\b`,
		`(tidak|tdk|gak|ga|nggak)\s+memenuhi\s+\w+\s+(\w+\s+){0,2}?(saat|pas|waktu|ketika|dalam)\s+(di)?(review|peninjauan|tinjauan|moderasi)`, `\bfailed\s+(the\s+)?(moderation|approval|ad\s+review|checks?)\b`,
		`\b(wouldn'?t|would\s+not|won'?t|will\s+not|refused\s+to|didn'?t|did\s+not)\s+approve\b`, `\b(knocked\s+back|turned\s+down|refused|bounced|blocked)\s+(in|by|at|during)\s+(the\s+)?(review|moderation|moderators?|approval|reviewers?)`,
		`\b(review|moderation|moderators?|reviewers?|approval\s+team)\s+(said\s+no|refused|turned\s+(it\s+)?down|knocked\s+(it\s+)?back|bounced|blocked)\b`, `\b(ad|boost|promotion|promo|campaign)\s+(that\s+|which\s+)?([\w']+\s+){0,3}?(got|was|has\s+been|had\s+been)\s+(knocked\s+back|turned\s+down)\b`,
		// who turned it down: "TikTok turned my boost down", "they knocked it back"
		`\b(tiktok|they|you|y'?all|you\s+guys|you\s+people|your\s+(team|app|system|reviewers?|moderators?)|review|moderation|moderators?|reviewers?)\s+(turned|knocked)\s+(it|(my|the|our)\s+(\w+\s+)?(ad|boost|promotion|promo|campaign))\s+(down|back)\b`, `\b(ga|gak|g|gk|tidak|tdk|nggak|ngga)\s+(di-?acc|di-?approve|diapprove)\b`,
		`(review|peninjauan|moderasi|moderation)(-?nya)?\s+(\w+\s+)?(gagal|failed|ditolak)\b`,
		// denied, said of the promotion ("my boost got denied", "ad
		// denied", "they denied my promotion"), not of a refund
		`\b(boost|promo|promotion|ad|advert|campaign|iklan|promosi)(nya)?\s+(got\s+|was\s+|has\s+been\s+|had\s+been\s+|been\s+|is\s+|were\s+|kena\s+)?(denied|refused|disallowed|not\s+allowed)\b`,
		`\b(denied|refused|disallowed)\s+(my|the|our)\s+(\w+\s+)?(boost|promo|promotion|ad|advert|campaign)\b`, `\b(did\s*n[o']?t|did\s+not|never|couldn'?t)\s+(get|make\s+it|go)\s+through\s+(the\s+)?(review|moderation|approval)`),
		// it cannot run, for a cause in its content ("tidak dapat
		// ditayangkan. Video tersebut menggunakan musik yang tidak memiliki
		// lisensi", "can't be shown because it breaks our ad policies"):
		// turned down before it ran, over the technical error's "cannot run"
		pats(5, `(tidak|tdk|gak|ga|nggak|ngga)\s+(dapat|bisa)\s+(di)?(tayangkan|jalankan|setujui|terbitkan)\b[^\n]{0,200}?\b(lisensi|hak\s+cipta|pedoman|kebijakan|melanggar|aturan|ketentuan|dilarang|terlarang)`,
			`\b(can'?t|cannot|can\s+not|could\s*n[o']?t|could\s+not|won'?t|will\s+not)\s+(be\s+)?(run|shown|published|approved|go\s+live|served)\b[^\n]{0,200}?\b(licen[sc]\w*|copyright\w*|guidelines?|polic(y|ies)|violat\w*|rules|prohibited|restricted)`))},
	{tickets.ReasonStoppedByPlatform, pats(4, `stopped\s+by\s+(tiktok|the\s+platform|the\s+system)`, `(tiktok|platform|system)\s+(stopped|suspended|paused|ended)`,
		`has\s+been\s+(stopped|suspended|paused|removed)`, `removed\s+(for|due\s+to|because\s+of|over)\s+(a\s+|the\s+)?(community\s+)?(guideline|policy|violation|rule)`,
		`(dimatiin|dimatikan|diblokir|diturunkan|dihapus|di-?take\s*down|di-?pause|dijeda|dinonaktifkan)\s+(sama|oleh|ama|dari)\s+(pihak\s+)?(tiktok|tt|platform|sistem)`, `\bviolat`, `community\s+guidelines`, `\bpolicy\s+violation`, `taken\s+down`,
		`dihentikan\s+(oleh\s+)?(tiktok|platform|sistem|pihak)`, `\bmelanggar\b`, `\bpelanggaran\b`, `pedoman\s+komunitas`, `\bditangguhkan\b`,
		`diberhentikan\s+(oleh\s+)?(tiktok|sistem)`, `telah\s+dihentikan`,
		`(diberhentikan|dihentikan|distop|di-stop|dimatikan)\s+(sama|oleh|ama|dari|by)\s+(pihak\s+)?(tiktok|tt|platform|sistem)`,
		// one-sided, the agent after ("diberhentikan sepihak oleh TikTok");
		// a notice's "we've halted your promotion", "does not meet our
		// Advertising Guidelines"
		`(diberhentikan|dihentikan|distop|di-stop|dimatikan|diputus|dimatiin)\s+(secara\s+)?sepihak\b`,
		`\b(we'?ve|we\s+have|we|tiktok\s+has|tiktok)\s+(halted|stopped|suspended|paused|ended|cut\s+off)\s+your\s+(promotion|promo|ad|boost|campaign)`,
		`\b(doesn'?t|does\s+not|didn'?t|did\s+not|don'?t|do\s+not)\s+(meet|comply\s+with|follow|adhere\s+to)\s+(our|the|tiktok'?s)\s+(advertising\s+|ad\s+|community\s+|promotion\s+)?(guidelines|policies|policy|standards|rules)\b`,
		// suffixed and slang verbs, the agent's particle dropped
		// ("diberhentiin tiktok", "diputus sama tiktok"); flagged; shut off
		// by them ("TikTok shut my ad off")
		`\b(diberhentiin|dihentiin|distopin|dimatiin|diputus|diputusin|dicut|dihentikan|diberhentikan|distop|dimatikan|diblokir|diturunkan|dihapus)\s+(sama\s+|oleh\s+|ama\s+|dari\s+|by\s+)?(pihak\s+)?(tiktok|platform|sistem|system)\b`,
		`\b(got\s+|was\s+|been\s+)flagged\b`, `\bkena\s+(flag|report|strike|pelanggaran)`,
		// stopped for what the product is said to do ("dihentikan …
		// barang yang mengklaim khasiat", "removed - health claims", "taken
		// down over weight-loss claims", "karena klaim kesehatan, iklannya
		// diturunkan")
		`\b(dihentikan|diberhentikan|diturunkan|dihapus|dinonaktifkan|ditangguhkan|distop|di-stop|diblokir|stopped|removed|pulled|suspended|halted|disabled|blocked|taken\s+(down|off)|(take|took)\s+(it\s+|(my|our|the)\s+(\w+\s+){1,3})?(down|off))\b[^\n]{0,120}?\b`+claimExpr,
		`\b`+claimExpr+`[^\n]{0,120}?\b(dihentikan|diberhentikan|diturunkan|dihapus|dinonaktifkan|ditangguhkan|distop|di-stop|diblokir|removed|pulled|suspended|halted|taken\s+(down|off)|(was|got|been)\s+stopped)\b`,
		// not the writer: "yang menghentikan juga bukan saya", "it wasn't
		// me who stopped it", "I did not stop nothing, allyuh stop it"
		`\b(yang|yg)\s+(meng|me|nge|ma)?(hentikan|stop|setop|matikan|matiin|nonaktifkan|akhiri|berhentikan)\w*\s+(\w+\s+)?(itu\s+|juga\s+)?(bukan|dudu|sanes|bukanlah)\s+(saya|aku|kami|gue|gw|sy|ulun|isun|nyong|kula|awak)\b`,
		`\b(wasn'?t|was\s+not|not)\s+(me|us)\s+(who|that)\s+(stopped|ended|paused|pulled|killed|turned|switched)\b`,
		`\b(i|we|me|mi)\s+(did\s+not|didn'?t|never|neva|nuh|noh|doh)\s+(stop|end|pause|cancel|turn\s+off|switch\s+off|kill)\w*\s+(it|nothing|anything|nutten|notn|the\s+\w+|my\s+\w+|our\s+\w+)\b[^\n]{0,40}?\b(you|y'?all|allyuh|unu|una|wunna|yuh|they|dem|tiktok)\s+(stop|stopped|end|ended|pull|pulled|kill|killed|did|take|took)\b`,
		`\b(dibekukan|dibekuin|froze|frozen)\b`, `\b(dihentikan|diberhentikan|distop|dimatikan|dimatiin)\s+(secara\s+)?paksa\b`, `\bforce[sd]?\s+(stopped|ended|paused|to\s+stop)\b`,
		`\b(platform|tiktok|system|they)\s+(cut|ended|stopped)\s+(\w+\s+){0,2}?short\b`, `\bguidelines?\s+(issue|breach|problem|violation|reasons?)\b`,
		`\b(tiktok|they|you|your\s+(system|team|app|platform|algorithm|moderators?|reviewers?)|the\s+platform|the\s+system)\s+(shut|switched|turned|cut)\s+(my|the|our|it)\s*(\w+\s+)?(off|down)\b`,
		// who stopped it: the desk's side ("you stopped my ad", "your
		// system pulled it"), or not the writer ("I did not end it, you
		// did", "bukan saya yang stop", "saya tidak menghentikannya")
		`\b(you|you\s+guys|y'?all|your\s+(system|team|app|platform|algorithm|moderators?|reviewers?))\s+(stopped|ended|paused|pulled|killed|suspended|removed|blocked|halted|shut\s+down|took\s+down|cut\s+off)\s+(my|our|the|it)\b`,
		`\b(i|we)\s+(did\s+not|didn'?t|never)\s+(end|stop|pause|cancel|close|turn\s+off|switch\s+off|shut\s+down|kill)\s+(it|the\s+\w+|my\s+\w+|our\s+\w+)\s*(\w+\s+)?(,|\.|;|-|–|—)?\s*(you|they|tiktok|the\s+(system|platform|app))\s+did\b`,
		`\bbukan\s+(saya|aku|kami|gue|gw|sy|ulun)\s+(sendiri\s+)?(yang|yg)\s+((meng|me|nge)?(stop|hentikan|matikan|akhiri|nonaktifkan)\w*|(me|ma)?nyetop\w*|setop\w*|stopin|matiin|mematikan|mengakhiri)`,
		`\b(saya|aku|kami|gue|gw|sy|ulun)\s+(tidak|tdk|gak|ga|nggak|ngga|kada|ndak|nda)\s+(pernah\s+)?((meng|me|nge)?(stop|hentikan|matikan|akhiri|nonaktifkan)\w*|(me|ma)?nyetop\w*|setop\w*|stopin|matiin|mematikan|mengakhiri)(\s+\w+)?\s+(sendiri|saurang)\b`,
		`\b(it|ad|promotion|promo|boost|campaign)\s+(was|got|has\s+been)\s+(pulled|killed|suspended|removed|taken\s+down|banned|blocked)`,
		`\b(di-?stop|distopin|di-?takedown|di-?banned|dibanned|di-?suspend)\b`, `kena\s+(suspend|banned|ban|takedown|take\s*down|stop|blokir)`,
		`(paused|suspended|removed|ended|killed|blocked|taken\s+down|turned\s+off)\s+by\s+(tiktok|tt|the\s+platform|the\s+system|the\s+app)`, `(iklan|promosi|promo|ads?)(nya)?\s+(saya\s+|aku\s+|ku\s+|kami\s+)?(tiba2\s+|tiba-tiba\s+|malah\s+|ternyata\s+|udah\s+|sudah\s+|udh\s+|telah\s+|kok\s+)(dihentikan|dimatikan|dimatiin|diturunkan|dihapus|diblokir)`,
		`(iklan|promosi|promo|ads?)(nya)?\s+(saya\s+|aku\s+|ku\s+|kami\s+)?(diturunkan|diblokir|dihapus)`,
		`\b(they|tiktok|the\s+platform)\s+(pulled|killed|stopped|removed|paused|suspended|took\s+down|turned\s+off|shut\s+down)`,
		`(pulled|killed|shut\s+down)\s+(the|my)\s+(ad|promotion|promo|boost|campaign)`, `(tiktok|they|the\s+platform)\s+(took|has\s+taken|have\s+taken)\s+(it|my\s+\w+|the\s+\w+)\s+(down|off)`, `(we'?ve|we\s+have)\s+(stopped|paused|suspended|removed)\s+your`,
		`(ad|promotion|promo|boost|campaign)\s+(was|got|has\s+been)\s+(pulled|killed|stopped|suspended|removed|taken\s+down)`,
		`(tidak|tdk|gak|ga|nggak)\s+memenuhi\s+(pedoman|kebijakan|ketentuan|standar|syarat|aturan)`, `\b(unoriginal|non-?original)\b`,
		`(konten|content)(nya)?\s+(yang\s+|yg\s+)?(tidak|tdk|gak|ga|nggak|bukan)\s+(orisinal|original|asli)`,
		// the cause named ("dihentikan karena musik … hak cipta", "removed
		// over a copyright claim"); a stop nobody made ("berhenti sendiri",
		// "tiba-tiba berhenti", "stopped on its own", "suddenly ended")
		stopCauseExpr, `\b(hak\s+cipta|copyright\w*|copyrighted)\b`,
		`\b(berhenti|mati|keberhenti|kestop|ke-stop)\s+sendiri\b`, `\b(tiba-tiba|tiba2|tau-tau|tau2|tahu-tahu|mendadak|suddenly|abruptly|out\s+of\s+nowhere)\s+(\w+\s+)?(berhenti|dihentikan|diberhentikan|distop|mati|stopped|ended|halted|paused|switched\s+off|got\s+stopped)\b`,
		`\b(stopped|ended|paused|switched\s+off|turned\s+off)\s+(all\s+)?(on\s+its\s+own|by\s+itself|itself)\b`,
		// asked why it was stopped: "kenapa ya promosi saya dihentikan?",
		// "why was my boost paused?", "why did they pull my ad"
		`\b(kenapa|mengapa|knp|napa|why)\s+([\w']+\s+){0,3}?(promosi|iklan|promo|boost|ad|promotion|campaign)(nya)?\s+(saya\s+|aku\s+|ku\s+|kami\s+|gw\s+)?(kok\s+|tiba-tiba\s+|tiba2\s+|got\s+|was\s+|been\s+)?(dihentikan|diberhentikan|distop|di-stop|dimatikan|dimatiin|dinonaktifkan|stopped|paused|ended|removed|pulled|suspended|killed)\b`,
		`\bwhy\s+(did|would|has|have)\s+(tiktok|they|you|the\s+platform)\s+(stop|pause|pull|kill|remove|suspend|end)\b`)},
	{tickets.ReasonWrongVideo, slices.Concat(pats(5, `wrong\s+video`, `meant\s+to\s+(promote|boost|pick|choose|select)`,
		`(went\s+out|ran|is\s+running)\s+on\s+the\s+(wrong|other)`, `(wrong|other)\s+(clip|post|reel)`,
		`(maksud(nya)?|niat(nya)?|mau(nya)?)\s+(promosi(in)?|promote|boost)\s+(video|konten)`, `(promoted|boosted|picked|selected|chose|chosen)\s+the\s+wrong`,
		`\b(?:salah)\s+(pilih\s+|memilih\s+|klik\s+)?video`, `(harusnya|seharusnya|should\s+have\s+been|was\s+supposed\s+to\s+be)\s+(the\s+)?(video|klip|konten|clip|post)`,
		`(yang|yg)\s+(dipromosi\w*|di-?boost\w*|dipromote\w*|naik)\s+(malah|justru|ternyata)`, `video\s+yang\s+salah`, `\b(?:salah)\s+(pilih|promosi|klik)`,
		`(was|is|were)\s+the\s+wrong\s+(one|video|clip|post)`, `instead\s+of\s+the\s+(final|new|newer|right|correct|latest|proper)\s+(\w+\s+)?(cut|video|clip|one|version|post)`,
		`(picked|selected|chose|chosen|promoted|boosted)\s+(an?|the|my)\s+(\w+\s+)?(draft|old(er)?\s+(video|clip|one|post))`, `bukan\s+(video|klip|konten)\s+yang\s+(baru|benar|final|terbaru|seharusnya)`,
		// "yang kepromote itu video lama saya", "the old clip got boosted",
		// "sing dipromosikan video lawas"
		`(yang|yg|sing)\s+(ke|ter|di)-?(promote|promosi|boost)\w*\s+(itu\s+|tuh\s+|malah\s+|justru\s+|ternyata\s+|kok\s+)*(video|konten|klip)(nya)?\s+(\w+\s+)?(lama|lain|lawas|kemarin|sebelumnya)\b`,
		`(promoted|boosted|pushed|ran)\s+(my\s+|an\s+|the\s+)?(old|older|previous|earlier|other)\s+(video|clip|post|one|reel)`,
		`(old|older|previous|earlier)\s+(video|clip|post|one|reel)\s+(got|was|has\s+been|is\s+being)\s+(promoted|boosted|pushed)`,
		// not the one chosen: "bukan video yang saya pilih", "dudu sing tak
		// pilih", "not the one I picked"; what showed instead: "yang muncul
		// di iklan malah video lawas", "yang salah yang kepromosikan"
		`\b(bukan|dudu|not)\s+(video\s+|klip\s+|konten\s+|clip\s+|post\s+|the\s+(video|clip|one|post)\s+|what\s+)?(yang\s+|yg\s+|sing\s+|that\s+|which\s+)?(saya\s+|aku\s+|tak\s+|kami\s+|gw\s+|gue\s+|i\s+|we\s+)?(pilih|dipilih|pesan|dipesan|chose|picked|selected|ordered)\b`,
		`\b(yang|yg|sing)\s+(muncul|tampil|tayang|keluar|jalan|naik|dipromosi\w*|kepromosi\w*|di-?boost\w*|dipromote\w*|kepromote\w*)\s+((di\s+|sebagai\s+|jadi\s+|dalam\s+)?(iklan|promosi)(nya)?\s+)?(itu\s+|tuh\s+)?(malah|justru|ternyata|kok)\s+(video|klip|konten)`,
		`\bsalah\s+(yang|yg|sing)\s+(ke|ter|di)-?(promosi|promote|boost|pasang|tayang)\w*`,
		// another clip than the one paid for: "they ran my old lasagna
		// reel", "what got pushed out was my old Halloween clip", "not the
		// risotto one I paid to push", "the clip from last month went out"
		`\b(promoted|boosted|pushed|ran|run|running|showed|shown|used)\s+(out\s+)?(was\s+|is\s+)?(my\s+|an\s+|the\s+|our\s+)?(old|older|previous|earlier|other|different|last\s+(week|month)'?s?)\s+(\w+\s+){0,2}?(video|clip|post|reel|one|tiktok)s?\b`,
		`\b(not|isn'?t|wasn'?t|aren'?t|weren'?t)\s+the\s+(\w+\s+){0,2}?(one|video|clip|reel|post)\s+(that\s+)?(i|we)\s+(paid|picked|chose|selected|ordered|wanted|asked|set\s+up)\b`,
		`\b(different|another|other)\s+(video|clip|post|reel|tiktok)\s+(from|than|to)\s+the\s+(one|video|clip|post)\s+(that\s+)?(i|we)\b`,
		`\b(promoted|boosted|pushed|ran|used|picked)\s+(a|the|another|some)\s+(\w+\s+)?(video|clip|post|reel)\s+(that\s+)?(i|we)\s+(didn'?t|did\s+not|never)\s+(choose|pick|select|order|want)`,
		`\b(instead\s+of\s+(the|my)\s+(\w+\s+){0,3}?(one|video|clip|reel|post)\s+(i|we)\s+(paid|picked|chose|selected|ordered|wanted))\b`,
		`\b(bukan|malah\s+bukan)\s+(video|klip|konten)\s+(\w+\s+){0,5}?(yang|yg)\s+(saya|aku|kami|gue|gw)?\s*(bayar|pilih|pesan|mau)\b`,
		// the video promoted set against the one chosen: "the promoted
		// video was “vlog #12”. I chose #14", "the clip that got boosted is
		// X, but we picked Y", "yang dipromosikan video X, padahal saya
		// pilih Y"
		`\b(promoted|boosted)\s+(video|clip|post|reel)\s+(was|is|says|shows)\b[^\n]{0,120}?(\.\s+|\bbut\s+|\bwhile\s+|\bwhereas\s+|\byet\s+|\bwhen\s+)(i|we)\s+(had\s+|actually\s+)?(chose|picked|selected|ordered|wanted|paid\s+for)\b`,
		`\b(video|clip|post|reel)\s+(that\s+|which\s+)?(was\s+|got\s+)?(promoted|boosted)\s+(was|is)\b[^\n]{0,120}?(\.\s+|\bbut\s+|\bwhile\s+|\bwhereas\s+|\byet\s+|\bwhen\s+)(i|we)\s+(had\s+|actually\s+)?(chose|picked|selected|ordered|wanted|paid\s+for)\b`,
		`\b(yang|yg)\s+(di|ke|ter)-?(promosi|promote|boost)\w*\s+[^\n]{0,120}?\b(padahal|sedangkan|tapi|tetapi|bukannya)\s+(yang\s+|yg\s+)?(saya|aku|kami|gue|gw|sy)\s+(pilih|milih|memilih|pesan|mau)\b`),
		pats(3, `bukan\s+(yang|yg)\s+(baru|benar|bener|terbaru|final|seharusnya|harusnya)\b`, `not\s+the\s+(new|newer|latest|right|correct|final)\s+(one|video|clip|post|cut)`,
			// the writer chose the right one ("while paying I had
			// selected the correct clip", "saya sudah pilih video yang
			// benar"): another ran
			`\b(i|we)\s+(had\s+|have\s+|did\s+|definitely\s+|clearly\s+|actually\s+)?(selected|picked|chose|chosen|choose|select|pick|tagged)\s+the\s+(correct|right|proper|intended)\s+(video|clip|reel|post|one)\b`,
			`\b(saya|aku|kami|sy|gue|gw)\s+(sudah\s+|udah\s+|udh\s+|sdh\s+|jelas\s+|pasti\s+)?(pilih|memilih|milih)\s+(video|klip|konten|reel)\s+(yang|yg)\s+(benar|bener|betul|tepat)\b`),
		// what turned out to run, said so ("yang ternyata dipromosikan
		// adalah video bengkel", "what actually got boosted was the
		// storm clip"); a video the writer says they never chose ("kami
		// tidak pernah memilih video pameran itu", "I never picked that
		// clip")
		pats(5, `\b(yang|yg|sing)\s+(ternyata|malah|justru|kok|rupanya)\s+(di|ke|ter)-?(promosi|promote|boost|tayang|pasang)\w*\s+(adalah\s+|ialah\s+|yaitu\s+|itu\s+|iku\s+)?(video|klip|konten)\b`,
			`\b(what|the\s+one|the\s+(video|clip|reel|post)|which)\s+(that\s+)?(actually|really|in\s+fact|in\s+the\s+end)\s+(got\s+|was\s+|were\s+)?(promoted|boosted|ran|run|went\s+out|shown|aired)\s+(was|is)\b`),
		pats(3, `\b(tidak|tdk|gak|ga|nggak|ngga|belum|ora)\s+(pernah\s+)?(memilih|milih|pilih|dipilih|mesan|memesan)\s+(video|klip|konten)\s+([\w-]+\s+){0,3}?(tersebut|itu|ini|iku|kuwi|yang\s+(itu|ini|lama|lain))\b`,
			`\b(never|didn'?t|did\s+not)\s+(choose|chose|pick|picked|select|selected|order|ordered)\s+(that|this|the)\s+([\w-]+\s+){0,3}?(video|clip|reel|post)(\s*([.,;!)]|$)|\s+(at\s+all|for|to|in|and|from|about|with)\b)`),
		// An accident says how, not what: it is the wrong video only
		// with nothing else ("I ended it by accident" is closed_early).
		pats(2, `\bby\s+(mistake|accident)\b`, `\baccidentally\b`, `(tidak|gak|nggak|ga)\s+sengaja`, `\bkepencet\b`))},
	{tickets.ReasonClosedEarly, slices.Concat(pats(4, `\b(i|we)\s+(stopped|closed|cancell?ed|ended|paused)\s+(the\s+|my\s+|it)`, `close[d]?\s+(the\s+|my\s+)?promotion`,
		`stopped\s+it\s+early`, `ended\s+(it|the\s+promotion)\s+early`,
		`(saya|aku|sy|ak)\s+(hentikan|tutup|berhentikan|stop|batalkan|matikan|akhiri|nonaktifkan)`, `(menghentikan|menutup|membatalkan|mematikan)\s+promosi`,
		`(sudah|udah|udh|sdh)\s+(saya\s+|aku\s+)?(tutup|hentikan|stop|matikan|akhiri|nonaktifkan)`, `(tutup|hentikan|stop|matikan)\s+(sendiri\s+)?promosi(nya)?`,
		`(stop|tutup|hentikan|matikan|hapus|hapusin|delete|takedown|take\s+down|nonaktifkan|nonaktifin)\s+sendiri`, `(matiin|stopin|tutupin|udahin|berhentiin|cancel)\s+sendiri`,
		`(gue|gw|gua|aku|saya|sy)\s+(matiin|stopin|tutupin|udahin|berhentiin)`, `\b(i|we)\s+(ended|stopped|turned\s+off|switched\s+off)\s+it`,
		`(ended|stopped|cancell?ed)\s+(it|the\s+promotion|the\s+promo)\s+after`,
		`(turned|switched|shut)\s+off\s+(my\s+|the\s+)?(boost|promotion|promo|ad|campaign)`, `(switched|turned)\s+(it\s+)?off\s+(it\s+)?myself`,
		`(stopped|ended|paused|cancell?ed|switched\s+off|turned\s+off|killed|pulled|binned|axed|scrapped|canned|nuked|ditched|deleted|removed|shut|took|cut)\s+(\w+\s+){0,4}(myself|ourselves)`, `(stopped|paused|ended)\s+(my\s+|the\s+)?boost`,
		// "saya sendiri yang hentikan", "aku yg matiin", "yang saya stop
		// sendiri", "it was me who stopped it", "I myself ended it"
		`(sendiri|saya|aku|sy|gue|gw|gua|kami|abdi)\s+(yang|yg)\s+(meng|mem|men|me|nge)?(hentikan|stop|stopin|matikan|matiin|tutup|tutupin|akhiri|batalkan|batalin|nonaktifkan|berhentikan|pause|jeda)`,
		`(yang|yg)\s+(saya|aku|sy|gue|gw|kami)\s+(sendiri\s+)?(hentikan|stop|stopin|matikan|matiin|tutup|akhiri|nonaktifkan|pause|jeda)`,
		`\b(me|us)\s+(who|that)\s+(stopped|ended|paused|closed|cancell?ed|turned|switched)`, `\bones?\s+who\s+(stopped|ended|paused|closed|cancell?ed|turned|switched)`,
		`\b(myself|ourselves)\s+(stopped|ended|paused|closed|cancell?ed|turned|switched)`,
		// "paused and ended the promotion from my side", "I turned the
		// boost off myself", "saya hentikan dari pihak saya"
		`(stopped|ended|paused|closed|cancell?ed|turned\s+off|switched\s+off)\s+(\w+\s+){0,3}(from|on)\s+(my|our)\s+(side|end)`,
		`\b(i|we)\s+(stopped|closed|ended|paused)\s+(and|&)\s+(stopped|closed|ended|paused|cancell?ed)`,
		`\b(i|we)\s+(turned|switched|shut)\s+(it|the\s+\w+|my\s+\w+|our\s+\w+)\s+off`,
		`(hentikan|matikan|stop|tutup|akhiri|berhentikan|nonaktifkan|pause|jeda)\w*\s+(\w+\s+){0,3}(dari|di)\s+(pihak|sisi)\s+(saya|kami|aku)`,
		// "I cut the boost short", "we pulled it early", "saya sudahi"
		`\b(i|we)\s+(cut|pulled|killed|wrapped\s+up)\s+(it|(the|my|our)\s+(boost|promotion|promo|ad|campaign))\s+(short|early)\b`, `\b(saya|aku|kami|sy|gue|gw)\s+(sudahi|sudahin|cukupkan|cukupin)\b`,
		// switched off oneself in regional words: Osing "isun matikan
		// dewek", Javanese "tak pateni dhewe" (the "tak" of "I", not of
		// "not"), Sundanese "eureunkeun sorangan", Banjar "ulun matikan
		// saurang"
		`\b(stop|stopin|tutup|hentikan|berhentikan|matikan|matiin|nonaktifkan|akhiri|(tak\s*|dak\s*)?(pateni|mateni|mandegke|mandhegke|lerenke|lerenaken)|pareuman|eureunkeun)\s+(\w+\s+){0,3}?(`+regionalSelf+`)\b`),
		// A cancellation alone says little (before the start it is a
		// change of mind, see adjustReason).
		pats(2, cancelPattern),
		// The creator ended it by accident: a button pressed by mistake.
		pats(5, `(ended|stopped|closed|cancell?ed|paused|turned\s+off|switched\s+off)\s+(\w+\s+){0,3}(by\s+(mistake|accident)|accidentally)`,
			`accidentally\s+(ended|stopped|closed|cancell?ed|paused|turned\s+off|switched\s+off|hit|tapped|pressed|clicked)`,
			`(tapped|pressed|clicked|hit|pushed)\s+(on\s+)?(the\s+)?['"“‘]?(end|stop|close|cancel|pause)\w*['"”’]?\s+(promotion|promo|boost|campaign|ad|button)`,
			`(kepencet|terpencet|salah\s+(pencet|klik|tekan|pilih))\s+(tombol\s+)?['"“‘]?(akhiri|hentikan|stop|end|tutup|matikan|batalkan)`,
			`(tidak|gak|nggak|ga|tdk)\s+sengaja\s+(meng|men|mem|me)?(hentikan|akhiri|stop|matikan|matiin|stopin|tutup|batalkan)`,
			`(tidak|gak|nggak|ga|tdk)\s+sengaja\s+(pencet|klik|tekan|pilih)\s+(tombol\s+)?['"“‘]?(akhiri|hentikan|stop|end|tutup|matikan)`))},
	{tickets.ReasonChangedMind, slices.Concat(pats(4, `changed\s+my\s+mind`, `change\s+of\s+mind`, `(don'?t|do\s+not)\s+want\s+(it|the\s+promotion|this)\s+anymore`,
		`(don'?t|do\s+not)\s+need\s+(it|the\s+promotion|this)\s+anymore`, `decided\s+not\s+to`, `not\s+to\s+go\s+ahead`,
		`no\s+longer\s+(want|need)`, `berubah\s+pikiran`, `(tidak|gak|nggak|ga|tdk)\s+jadi\b`, `(tidak|gak|nggak|ga|tdk)\s+(mau|ingin)\s+(lagi|promosi)`,
		`(tidak|gak|nggak|ga|tdk)\s+(butuh|perlu)\s+lagi`,
		// no longer needed, said of it: "promosinya tidak saya perlukan
		// lagi", "udah gak dibutuhin lagi", "not needed anymore", "no
		// longer necessary"
		`\b(tidak|tdk|gak|ga|nggak|ngga|gk)\s+((saya|aku|kami|gue|gw|sy|kita)\s+)?(di|ku)?(perlu|butuh)(kan|in|ken)?\s+(\w+\s+)?lagi\b`,
		`\bno\s+longer\s+(needed|necessary|required|useful)\b`, `\bnot\s+(needed|necessary)\s+any\s*(more|longer)\b`, `rather\s+not`, `second\s+thoughts`, `after\s+all\b`,
		// not wanted again, in creole and pidgin too: Belizean and
		// Jamaican "mi noh/nuh want it again", Trinidadian "ah doh want
		// it again", Nigerian "I no want am again", "don't want the boost
		// again"
		`\b(noh|nuh|no|nah|doh|don|neva)\s+(want|need|wan)\s+(it|dat|dis|am|(di|de|the|dat|dis)\s+\w+)\s+(again|agen|anymore|no\s*more|nuh\s*more|noh\s*more|any\s*more)\b`,
		`\b(don'?t|do\s+not)\s+(want|need)\s+(it|this|that|the\s+(boost|promotion|promo|ad|campaign))\s+again\b`,
		`(ga|gak|nggak|tidak|tdk)\s+jadi\s+(deh|aja|promosi|promo)`, `(batalin|batalkan)\s+(aja|saja|pesanan|order)`,
		// regional and short: Sundanese "teu jadi", Javanese "ora sido",
		// "gajadi", "g jd"
		`\b(teu|henteu|moal|ora|ra|ndak|nda|enggak|engga|ngga|gk|g|tak|`+regionalNo+`)\s+(jadi|jd|sido)\b`, `\bgajadi\b`, `\b(gak|ga|nggak|gk)\s+sido\b`,
		`(not|no\s+longer)\s+going\s+ahead`, `decided\s+against`, `\b(call|called|calling)\s+(it|the\s+\w+)\s+off\b`,
		// "I decide to not doing advertising", "sudah tidak ada gunanya
		// lagi", "no point advertising", the client's event called off
		`\bdecid\w*\s+(to\s+)?not\b`, `\b(not|no\s+longer)\s+(doing|do|running|run)\s+(any\s+)?(advertising|ads|promotions?|promo)\b`,
		`(tidak|tdk|gak|ga|nggak)\s+ada\s+(guna|gunanya|manfaat\w*|artinya)\b`, `\bno\s+(point|use|sense)\s+(in\s+)?(advertising|promoting|running|boosting|continuing|pushing|spending|paying|doing|keeping|having)`,
		// a purchase made by a slip ("kepencet bayar", "accidentally paid
		// for a boost", "bought it by mistake"), or made too soon ("blm mau
		// promosi skrg", "not ready to promote yet"); a rebrand or closure
		// that makes it pointless
		`\b(kepencet|kepencét|terpencet|kepijet|kepencet2|salah\s+(pencet|klik|tekan|tap)|(tidak|tdk|gak|ga|nggak|ngga|gk)\s+sengaja)\s+(ke)?(bayar|beli|membayar|membeli|checkout|check\s+out|order|pesan|memesan|promosi\w*|boost|iklan\w*)\b`,
		`\b(accidentally|mistakenly|unintentionally)\s+(paid|bought|purchased|ordered|booked|boosted|promoted|started|tapped|hit|pressed|clicked|confirmed)\b`,
		`\b(paid|bought|purchased|ordered|booked|boosted)\s+(\w+\s+){0,3}?(by\s+(mistake|accident)|accidentally|without\s+meaning\s+to)`,
		`\b(belum|blm|blom|lom|lum)\s+(mau|ingin|pengen|butuh|perlu|siap)\s+(promosi|promo|iklan|boost|pasang)`, `\bnot\s+ready\s+to\s+(promote|advertise|boost|run|launch)`,
		`\b(rebrand\w*|rebranding|ganti\s+(logo|nama\s+(toko|usaha|brand)|branding))\b`,
		// put off: "hold off on advertising", "put it on hold", "urungkan
		// niat", "promosinya ditunda dulu"
		`\bhold\s+off\b`, `\b(mau|ingin|pengen|pingin)\s+(di)?batal(in|kan)?\s+(aja|saja|dong|deh|ya)\b`, `\bon\s+second\s+thoughts?\b`,
		`(don'?t|do\s+not)\s+want\s+to\s+(promote|advertise|boost|run)\b`, `(tidak|tdk|gak|ga|nggak|ngga)\s+(perlu|butuh)\s+(promosi|iklan|promo|boost)\b`,
		`\bchang\w*\s+(of\s+)?(our\s+|my\s+)?plans?\b`, `\b(won'?t|will\s+not)\s+be\s+(advertising|promoting|boosting)\b`, `\b(put|putting)\s+(it|this|the\s+\w+|our\s+\w+|my\s+\w+)\s+on\s+hold\b`, `\b(urungkan|mengurungkan|urung)\b`,
		`\b(tunda|menunda|ditunda|tunda\w*)\s+(dulu\s+)?(promosi|iklan|promo|pasang\s+iklan)`, `\b(promosi|iklan|promo)(nya)?\s+(di)?tunda\b`,
		`(klien|client|customer|pelanggan)(nya)?\s+(kami\s+|saya\s+|our\s+|my\s+)?(membatalkan|batal|cancell?ed|called\s+off|pulled\s+out)`,
		`(acara|event|wedding|pernikahan|nikahan|launch)(nya)?\s+(\w+\s+)?(dibatalkan|batal|cancell?ed|called\s+off)`,
		// the occasion moved ("the launch got pushed to January", "acaranya
		// diundur") and the promotion not wanted to run
		`(acara|event|launch|launching|peluncuran|opening|pembukaan|rilis|release)(nya)?\s+(\w+\s+)?(postponed|pushed\s+(back|to|out)|delayed|moved\s+to|rescheduled|diundur|ditunda|mundur|dimundurkan)\b`,
		`(don'?t|do\s+not|no\s+longer)\s+(want|need)\s+(it|this|the\s+promotion|the\s+promo|the\s+ad|the\s+boost)\s+to\s+(run|go\s+ahead|start|go\s+live)\b`,
		`(tidak|tdk|gak|ga|nggak)\s+(perlu|usah)\s+(jalan|tayang|dijalankan|ditayangkan)\s+lagi\b`,
		// not needed any more said without a verb, with "usah" as with
		// "perlu", in standard and regional words ("promosinya gak usah
		// lagi", "iklannya tidak usah dulu", "sa tra usah lagi"), and in
		// English ("no need for it any more", "won't be needing the boost")
		`\b(tidak|tdk|gak|ga|nggak|ngga|gk|enggak|`+regionalNo+`)\s+usah\s+((di)?(jalan|tayang|pasang|lanjut|promosi|iklan)\w*\s+)?(lagi|dulu)\b`,
		`\bno\s+(more\s+)?need\s+for\s+(it|this|that|the\s+\w+|our\s+\w+|my\s+\w+)\s+(any\s*more|any\s+longer|now)\b`, `\b(won'?t|will\s+not)\s+be\s+needing\s+(it|this|that|the\s+\w+)\b`,
		// not needed any more in regional words ("sonde perlu lagi",
		// "indak paralu lai", "ora butuh maneh", "teu peryogi deui")
		`\b(`+regionalNo+`|ora|teu|henteu)\s+(\w+\s+)?(perlu|paralu|parlu|butuh|peryogi)\s+(\w+\s+)?(lagi|lai|agi|maneh|malih|deui)\b`,
		// the writer's own plans changed: a decision not to go on ("we
		// have taken the decision not to hold it", "kami memutuskan untuk
		// tidak ikut"), the promotion of no use ("no longer serves any
		// purpose"), the place or permit withdrawn ("the landlord
		// cancelled our stall booking", "sewa gedungnya batal"); the
		// occasion itself called off is occasionOff's (reason_shapes.go)
		`\b(don'?t|do\s+not)\s+need\s+(the|this|that|our|my)\s+(ad|advert|promotion|promo|boost|campaign)\b`,
		`\b(decision|keputusan)\s+(not\s+to|untuk\s+(tidak|tdk|gak|ga|batal|membatalkan))\b`, `\b(memutuskan|putuskan|diputuskan)\s+(untuk\s+)?(tidak|tdk|gak|ga|batal|membatalkan|mengurungkan)\b`,
		`\b(no\s+longer|not|doesn'?t|does\s+not|won'?t|will\s+not)\s+(serves?|serving|has|have)\s+(any|a|its|much)\s+(purpose|point|use)\b`, `\bserves?\s+no\s+(purpose|point)\b`, `\b(useless|pointless|redundant|moot)\s+(now|anymore|at\s+this\s+point)\b`,
		`\b(withdrew|withdrawn|pulled|revoked|cancell?ed|refused|denied)\s+(our|my|the|their|us\s+the)\s+(\w+\s+){0,2}?(permit|booking|reservation|venue|stall|pitch|lease)s?\b`,
		`\b(permit|booking|reservation|venue|stall|pitch|lease)s?\s+(\w+\s+){0,3}?(was|were|has\s+been|had\s+been|got|have\s+been)\s+(withdrawn|pulled|revoked|cancell?ed|refused|denied)\b`,
		`\b(sewa|booking(an)?|reservasi|gedung|aula|lapak|stan|venue)(nya)?\s+(\w+\s+){0,3}?(dibatalkan|dibatalin|batal|dicabut|ditarik|ditolak|(tidak|tdk|gak|ga|nggak|`+regionalNo+`)\s+jadi)\b`,
		`\bizin\s+(acara|keramaian|usaha|berjualan|jualan|lokasi|tempat|pameran|event)(nya)?\s+(\w+\s+){0,2}?(dicabut|ditolak|dibatalkan|batal|(tidak|tdk|gak|ga)\s+keluar)\b`),
		// the writer's own business changed: the shop renovated, closed
		// for a while, moving ("toko mau direnovasi dulu", "warung kami
		// pindah tempat", "the salon is being refurbished", "we're
		// relocating"): weighs little alone ("shut the ad off, the shop
		// is closed for repairs" is closed early)
		pats(2, `\b(toko|warung|kios|kedai|usaha|bengkel|salon|studio|kafe|cafe|rumah\s+makan|restoran|resto|lapak|outlet|butik|kantor|klinik|gerai|tempat\s+usaha)(nya)?\s+(\w+\s+){0,3}?(direnovasi|renovasi|dibongkar|dipugar|tutup\s+(sementara|dulu|sampai)|ditutup\s+(sementara|dulu|sampai)|pindah|dipindah\w*)\b`,
			`\b(shop|store|salon|studio|cafe|café|restaurant|bakery|garage|premises|stall|business|office|clinic|gym|bar|kitchen)\s+(\w+\s+){0,3}?(renovated|refurbished|remodell?ed|under\s+renovation|being\s+rebuilt|closing\s+(down|for)|closed\s+for\s+(renovations?|refurbishment|a\s+(while|month|few\s+\w+))|moving|relocating|shutting\s+(down|for))\b`,
			`\b(we'?re|we\s+are|i'?m|i\s+am|we'?ll\s+be|we\s+will\s+be)\s+(closing|moving|relocating|renovating|refurbishing|remodell?ing|shutting)\s+((the|our|my)\s+(shop|store|premises|place|café|cafe|salon|studio|bakery|stall|restaurant|business|doors)|down|for|to|until|temporarily)\b`),
		// the rooms or seats taken up: weighs little alone ("we sold out
		// and stopped it" is closed early)
		pats(2, `\b(rooms?|kamar|seats?|places|tickets?|tiket|kursi|kuota|quota|tables?|meja|classes|class|kelas|course|kursus)(nya)?\s+(\w+\s+){0,3}?(fully\s+booked|booked\s+(up|out|solid)|sold\s+out|all\s+taken|full|penuh|habis|ludes|terjual\s+habis)\b`,
			`\b(fully\s+booked|booked\s+solid|terjual\s+habis)\b`))},
	{tickets.ReasonTechnicalError, slices.Concat(waitingPats, pats(3, `\berror\b`, `\beror\b`, `(didn'?t|did\s+not|never|doesn'?t|does\s+not|not)\s+(run|start|go\s+live|work|show)\b`,
		`\bstuck\b`, `\bglitch`, `\bbug\b`, `\btechnical\b`, `\b(zero|0)\s+(views|impressions|reach)`,
		`\bgagal\b`, `(tidak|tdk|gak|nggak|ga)\s+(berjalan|jalan|tayang|muncul|aktif|mulai)`, `\bmacet\b`, `(kendala|masalah|gangguan)\s+teknis`,
		`\bnyangkut\b`, `\b0\s+(view|tayangan|penonton)`,
		`(masih|still)\s+['"“‘]?\s*(sedang\s+|stuck\s+|being\s+)?(ditinjau|in\s+review|under\s+review|pending|diproses|menunggu|processing)`,
		// the status it sits on past its start ("still sitting on
		// “Scheduled”", "masih nyangkut di “Dijadwalkan”"), nothing run
		`(masih|still)\s+(sitting|stuck|sits|showing|shows|says|reads|listed|nyangkut|tertahan|berstatus|statusnya|tertulis)\s+(on\s+|at\s+|in\s+|as\s+|di\s+)?['"“‘]?\s*(scheduled|dijadwalkan|terjadwal|queued|waiting|not\s+started|belum\s+dimulai)`,
		`\bstill\s+(sitting|sits|listed)\s+(on|at|in|as)\s+['"“‘]?\s*(in\s+review|under\s+review|pending|processing)`,
		`(no|tidak\s+ada)\s+(promotion|promosi|campaign|kampanye)\s+(was\s+|yang\s+)?(created|dibuat|muncul|appeared|terbuat)`, `(promotion|promosi)(nya)?\s+(was\s+)?(never|tidak\s+pernah|gak\s+pernah|ga\s+pernah)\s+(created|dibuat|dibikin|terbuat)`, `\bcrash`,
		`(ga|gak|nggak|tidak|tdk)\s+(nongol|keluar|tampil|kelihatan|jalan)`, `terjadi\s+kesalahan`, `something\s+went\s+wrong`,
		`never\s+(started|ran|went\s+live|showed)`, `(did\s*n[o']?t|did\s+not|never)\s+(get|receive|got|have)\s+(any|a\s+single)\s+(views?|impressions?|reach|viewers)`, `(ga|gak|tidak|tdk|nggak|ngga|belum)\s+pernah\s+(jalan|berjalan|tayang|aktif|muncul|mulai|live)`,
		`(under|in)\s+review['"”’]?\s+(for|since)\s`, `(been|is|was)\s+['"“‘]?(under|in)\s+review['"”’]?\s+(for|since)`, `(ditinjau|peninjauan|review)(-?nya)?['"”’]?\s+(sudah\s+|udah\s+|sejak\s+|for\s+|selama\s+)*\d+\s+(hari|days)`,
		`(tertahan|tertunda|nyangkut|stuck|pending)\s+([\w"'“”‘’]+\s+){0,6}\d+\s+(hari|days|minggu|weeks)`,
		// "never left review", "review-nya gak kelar", "g jln", "views 0"
		`never\s+(left|got\s+out\s+of|made\s+it\s+(out\s+of|past|through)|cleared|got\s+past|came\s+out\s+of|moved\s+past)\s+(the\s+)?['"“‘]?(review|in\s+review|moderation|pending|approval)`,
		`(review|peninjauan|tinjauan)(-?nya)?\s+(\w+\s+)?(ga|gak|nggak|tidak|tdk|belum|g|gk)\s+(juga\s+)?(kelar|selesai|beres|keluar)`,
		`\b(g|gk|gx|ndak|nda|ngga|enggak|ora|tak)\s+(jln|brjln|brjalan|berjalan|jalan\w*|tayang|muncul\w*|aktif|mulai|nongol\w*)\b`,
		`(views?|penayangan|tayangan|penonton)(nya)?\s*([:=]\s*|(masih|still|is|are|cuma|hanya|tetap|stuck\s+at|at|di)\s+)?(0|nol|zero)(\s|$|[!,)]|\.\s|\.$)`,
		// the status read out ("still says “In review”", "Menunggu
		// pembayaran", "Payment not completed"), a system fault, an empty
		// list, and Javanese krama ("dereng nate tayang")
		`(masih|still)\s+(says|shows|showing|reads|tertulis|statusnya|status|berstatus)\s+['"“‘]?\s*(sedang\s+)?(ditinjau|in\s+review|under\s+review|pending|diproses|menunggu|processing)`,
		`\b(payment|pembayaran)(nya)?\s+(not\s+completed|incomplete|pending|failed|unsuccessful|not\s+successful|gagal|tertunda|belum\s+(selesai|berhasil|diproses)|tidak\s+berhasil)`,
		`menunggu\s+pembayaran`, `\b(awaiting|pending)\s+payment`,
		// nowhere to be found: "doesn't appear anywhere", "gak ada di daftar"
		`\b(promotion|promo|boost|ad|campaign)\s+(doesn'?t|does\s+not|didn'?t|did\s+not|never)\s+(appear|show\s+up)\b`,
		`(tak|gak|ga|tidak|tdk|belum|nggak|ngga)\s+(juga\s+)?kunjung\s+(tayang|jalan|muncul|aktif|mulai|berjalan|live)`, `\b(pending|in\s+review|stuck|processing)\s+(forever|for\s+ages|endlessly)\b`,
		`\bnothing\s+(has\s+)?happened\b`, `\b(ga|gak|tidak|tdk|nggak|ngga|belum)\s+(ke|ter)buat\b`, `\b(isn'?t|is\s+not|not)\s+(anywhere|listed|in\s+the\s+list)\b`,
		`(tidak|tdk|gak|ga|nggak|ngga)\s+ada\s+(di\s+)?(daftar|list|menu|riwayat|history|dashboard|halaman)\b`, `(tidak|tdk|gak)\s+berhasil\s+diproses`,
		`gangguan\s+(sistem|teknis|server|aplikasi)`, `\b(`+regionalNo+`)\s+(pernah\s+)?(jalan|berjalan|tayang|muncul|aktif|mulai)\b`, `(tidak|tdk|gak|ga|nggak)\s+(dapat|bisa)\s+(di)?(mulai|jalankan|berjalan|tayang|diproses)`,
		`\b(is|was|are|it'?s)\s+not\s+(running|started|live|working|showing)`, `\b(isn'?t|wasn'?t|aren'?t)\s+(running|live|working|showing)`,
		`\b(menu|halaman|tab|daftar|list|page|dashboard)\s+(promosi\w*\s+|promotions?\s+)?(\w+\s+)?(kosong|empty|blank)\b`,
		`(tidak|tdk|gak|ga|nggak)\s+pernah\s+(dibuat|dibikin|terbuat|dibuatkan)`,
		`\b(dereng|durung|mboten|boten)\s+(nate\s+|tau\s+|pernah\s+)?(tayang|mlampah|jalan|mlaku|aktif|muncul)`, `(tertahan|stuck|nyangkut|menggantung)\s+(di\s+|in\s+|at\s+)?(status\s+)?['"“‘]?(sedang\s+)?(ditinjau|review|in\s+review|under\s+review|pending|menunggu|peninjauan)`))},
	{tickets.ReasonUnderDelivery, pats(3, `\breach\b`, `\bviews?\b.{0,30}\b(low|below|less|only|few)\b`, `\bonly\s+[\d.,]+\s*k?\s+(views|people|viewers)`,
		`(below|under|less\s+than|far\s+from)\s+(the\s+)?(estimate|promised|expected|target|minimum)`, `under[\s-]?deliver`,
		`(didn'?t|did\s+not|not)\s+(get|getting|reach|reached)\s+(the\s+)?(promised|estimated|expected)`, `\blow\s+(views|reach|impressions)`,
		`(delivered|reached|got|had|received)\s+only\s+[\d.,]+`, `\bonly\s+(got|reached|had|received|delivered)\s+[\d.,]+`,
		`(out\s+of|of)\s+the\s+[\d.,]+\s*k?\s+(minimum|estimate|estimated|promised|expected|target)`, `\bshortfall\b`,
		`less\s+than\s+(a\s+quarter|half|a\s+third)\s+of`, `(minimum|estimated)\s+(views|reach)`,
		`\bjangkauan`, `\bpenonton`, `\btayangan`, `views?(nya)?\s+(cuma|hanya|sedikit|rendah|kecil|sepi|dikit)`,
		`(tidak|tdk|gak|nggak)\s+sesuai\s+(dengan\s+)?(estimasi|perkiraan|target|janji)`, `(di\s*bawah|jauh\s+dari|kurang\s+dari)\s+(estimasi|perkiraan|target)`,
		`(cuma|hanya)\s+[\d.,]+\s*(an|rb|ribu|k)?\s*(view|penonton|tayangan|dari)`, `\bestimasi\b`, `\bsepi\b`,
		`\bimpressions?\b.{0,20}\b(tank|drop|low|few)`, `\btanked\b`, `way\s+(off|below|under|lower)`, `(tidak|gak|ga|nggak)\s+sebanding`,
		`(yang|yg)\s+nonton`, `views?\s*(nya)?\s+(cuma|hanya|sedikit|dikit|rendah|kecil)`, `\bestimasi(nya)?\b`,
		`padahal\s+(estimasi|janji|target|dijanjikan|perkiraan)`, `(seperempat|setengah|sepertiga|separuh)\s+(dari\s+)?(janji|estimasi|target|perkiraan)`,
		`\b(barely|hardly)\s+[\d.,]+\s*k?\b`, `[\d.,]+\s*(k|rb|ribu)?\s+(of|out\s+of|dari)\s+(the\s+)?(estimated|promised|expected|estimasi|target|perkiraan|janji)`,
		`(fewer|less|lower)\s+([a-z]+\s+){0,2}than\s+(you\s+|was\s+|were\s+|the\s+|it\s+was\s+)?(estimated|promised|expected|estimate)`, `(ga|gak|tidak|tdk|nggak|ngga|belum)\s+(nyampe|nyampai|sampai|sampe|mencapai|capai)\s+(target|estimasi|janji|perkiraan)`,
		`(cuma|hanya|only|just)\s+\d+([.,]\d+)?\s*%`, `(did\s*n[o']?t|did\s+not|never)\s+(hit|reach|meet)\s+(the\s+)?(target|estimate|goal|minimum)`, `out\s+of\s+(the\s+)?(promised|estimated|expected|guaranteed)\s+[\d.,]+`,
		`reached\s+(about\s+|only\s+|just\s+|around\s+)?[\d.,]+\s*k?\s+(people|views|viewers|accounts|users)`, `(a\s+quarter|a\s+third|half|a\s+fraction)\s+of\s+(the\s+|what\s+was\s+)?(promised|estimated?|expected|target)`,
		`\bjeblok\b`, `(dikit|sedikit)\s+(banget|bgt|sekali)`, `\bmuch\s+lower\s+than`, `(far|well)\s+below`,
		// the promise and what came: "out of the 20k it promised", "told me
		// 20 to 25 thousand views", "finished on 2,300", "views nya mentok
		// di 400an", "dibilang bisa 8rb-an", "seperlima dari estimasi"
		`out\s+of\s+(the\s+)?[\d.,]+\s*(k|rb|ribu|thousand)?\s+(views\s+)?(it\s+|they\s+|you\s+|y'?all\s+|that\s+)?(was\s+|were\s+)?(promised|estimated|expected|quoted|guaranteed)`,
		// what came said after "only reached": "cuma nyampe 300an views",
		// "hanya tembus 1rb penonton", "only hit 900 views"
		`\b(cuma|hanya|only|just)\s+(nyampe|nyampai|sampai|sampe|mencapai|dapat|dapet|dpt|tembus|reached|reach|hit|got)\s+[\d.,]+\s*(an|rb|ribu|k)?\s*(views?|penonton|tayangan|viewers|people)\b`,
		`\b(told|promised|quoted|said|estimated)\s+(me\s+|us\s+)?(at\s+)?(it\s+would\s+(get|reach|be)\s+)?(about\s+|around\s+|up\s+to\s+)?[\d.,]+\s*(k|rb|ribu|thousand)?(\s*(to|-|–|sampai|hingga)\s*[\d.,]+\s*(k|rb|ribu|thousand)?)?\s+(views|viewers|penonton|tayangan|people)`,
		`\b(finished|ended|stopped|selesai|berhenti|mentok|stuck)\s+(up\s+)?(on|at|with|di)\s+(only\s+|just\s+|cuma\s+)?(\d{1,3}([.,]\d{3})+|\d+([.,]\d)?\s*(k|rb|ribu)\b|\d+\s*an\b)`,
		`(views?|penonton|tayangan|jangkauan)\s*(nya)?\s+(mentok|stuck|tertahan)\s+(di\s+|at\s+)?[\d.,]+`,
		`(dibilang|katanya|dijanjikan|janjinya)\s+(bisa\s+|dapat\s+|dapet\s+|sampai\s+|sampe\s+)?[\d.,]+\s*(rb|ribu|k|an|-an)`,
		`\b(seperlima|sepersepuluh|a\s+fifth|a\s+tenth|one\s+fifth|one\s+tenth)\s+(of|dari)\b`, `\b(a\s+)?(tiny\s+|small\s+)?fraction\s+of\b`, `\b(barely|hardly)\s+(got|had|reached|any|anyone|anybody|saw|seen)\b`,
		`\b(below|under|less\s+than|short\s+of|far\s+from)\s+(the\s+|what\s+(was|it)\s+)?(projected|projection|forecast\w*|predicted|prediction)`, `\b(nowhere\s+near|(not|ain'?t|isn'?t|wasn'?t)\s+(even\s+)?close)\b`,
		// a promise of a magnitude in words ("The app promised hundreds",
		// "katanya bakal ribuan penonton", "estimated thousands of views")
		`\b(promised|estimated|projected|predicted|quoted|forecast|guaranteed|expected|said\s+(i'?d|we'?d|it\s+would)\s+(get|reach)|dijanjikan|dijanjiin|janjinya|katanya|diperkirakan|perkiraan(nya)?|estimasi(nya)?)\s+(me\s+|us\s+|bakal\s+|akan\s+|bisa\s+|dapat\s+|dapet\s+|sampai\s+|sampe\s+)?(hundreds|thousands|tens\s+of\s+thousands|ratusan|ribuan|puluhan\s+ribu|jutaan|millions)\b`)},
	{tickets.ReasonOther, slices.Concat(pats(2, `target\s+(audiens|audience|penonton)`, `luar\s+negeri`, `wrong\s+(country|audience|currency|region)`,
		`instead\s+of\s+(idr|usd|rupiah|dollars?)`,
		`(charged|billed|debited|paid)\s+in\s+(us\s+|singapore\s+|american\s+)?(dollars?|usd|rupiah|idr|ringgit|myr|sgd|euros?)`, `conversion\s+fee`, `(biaya|selisih)\s+(konversi|kurs)`,
		`ditagih\s+(dalam|pakai|pake|pakai\s+mata\s+uang)\s+(dolar|dollar|usd|ringgit)`, `\bcurrency\b`, `mata\s+uang`, `\bkurs\b`, `foreign\s+transaction`,
		`(tidak|tak|gak|nggak)\s+pernah\s+(membuat|bikin|buat|order|memesan|pesan)`, `never\s+(made|ordered|created|bought|placed)`,
		`tanpa\s+izin`, `unauthori[sz]ed`, `(started|mulai|jalan)\s+.{0,30}(late|later|terlambat|telat)`, `\blate\s+start`,
		`started\s+\d+\s+days?\s+late`, `missed\s+(my|the)\s+(launch|sale|event)`,
		`(selisih|kelebihan)\s+(biaya|bayar|tagihan|potongan|harga)`, `(charged|billed)\s+(more|less)\s+than`, `overcharg`,
		`harga\s+yang\s+(ditampilkan|tertera|tercantum)`, `(tidak|tak|gak)\s+sesuai\s+(dengan\s+)?harga`, `(ignored|diabaikan)\s+.{0,20}(target|audience|audiens)`,
		`(target|audience|audiens)\s+.{0,30}(ignored|diabaikan|tidak\s+dipakai|not\s+used)`,
		// The views went to the wrong place: where they came from, the
		// place set as the target, the place the creator serves.
		`(views?|viewers|audience|impressions|traffic|penonton\w*|(yang|yg)\s+nonton)\s+([\w']+\s+){0,4}?(from|dari)\s+[a-z]`,
		`(set|setting|targeted|targeting|aimed|chose|picked|selected|pilih|memilih|atur|mengatur)\s+([\w']+\s+){0,3}?(to\s+target|target(nya|kan)?|lokasi|location|country|negara|region|wilayah)\b`,
		`target(ed|ing|nya)?\s+(lokasi|location|negara|country|wilayah|region|kota|city|area|daerah|di|ke|orang|penonton)(nya)?\b`, `(lokasi|location|negara|country|wilayah|region)\s+(target|sasaran)`,
		`(ships?|shipping|kirim|pengiriman|deliver\w*|sells?|jualan|melayani|serve)\s+(\w+\s+){0,2}?(within|only\s+(in|within|to)|hanya\s+(di|ke|dalam|untuk)|cuma\s+(di|ke))\b`,
		// shown to people elsewhere; ordered behind the owner's back
		`\b(showed|shown|served|delivered|went|reached|tayang|muncul|ditampilkan)\s+(\w+\s+){0,2}?(to\s+|ke\s+)?(people|viewers|users|orang|penonton|audiences?)\s+(in|from|di|dari|outside|luar)\s+[a-z]`,
		`\b(ordered|bought|booked|set\s+up|created|made|paid\s+for|started)\s+(\w+\s+){0,3}?without\s+(asking|telling|checking\s+with|my\s+(permission|consent|approval|knowledge|authori[sz]ation))`, `\btanpa\s+(sepengetahuan|persetujuan|seizin|bilang|ngomong|ijin|izin)\b`),
		// the views came but the shop link did not: "keranjang kuningnya
		// tidak muncul", "the shop link never showed on the ad"; over the
		// technical error's "not showing"
		pats(7, `\bkeranjang(\s+kuning)?(nya)?\s+(\w+\s+)?(tidak|tdk|gak|ga|nggak|ngga|g|gk|belum|ndak)\s+(pernah\s+)?(muncul|nongol|ada|tampil|keluar|kelihatan)`,
			`\b(shop(ping)?|cart|product|store|basket)\s+(link|button|tag|anchor|icon)s?\s+(never|didn'?t|did\s+not|doesn'?t|does\s+not|wasn'?t|was\s+not|isn'?t|not)\s+(show|showed|shown|showing|appear|appeared|visible|display|displayed)`),
		pats(4, `(wrong|different|another|other)\s+(country|countries|region|location|market|city)`, `(negara|wilayah|lokasi|kota)\s+(lain|yang\s+salah|yg\s+salah|berbeda)`,
			`(outside|luar)\s+(of\s+)?(my\s+|the\s+)?(target(ed)?\s+)?(country|region|negara|wilayah|indonesia|target)`,
			// the wrong age group, goal or hours; a promotion nobody here set up
			`\b(wrong|salah|different)\s+(age|age\s+group|usia|umur|kelompok\s+(usia|umur)|demographic|gender|goal|objective|tujuan|time\s+slot|hours)\b`,
			`\b(nobody|no\s+one|not\s+me)\s+(here\s+)?(set|made|created|ordered|booked)\b`, `\b(did\s+not|didn'?t|never)\s+set\s+(it\s+|this\s+|that\s+)?up\b`),
		// what was set and what ran instead: the schedule ("set jadwalnya
		// jam 11", "tayangnya malah jam 1 sampe jam 4 pagi", "ran at 3
		// a.m."), the audience or goal chosen ("picked “More followers” on
		// the goal screen", "the goal was “Website visits”"), a late start
		// ("br jalan tgl 2", "telat jalan")
		pats(2, `(set|setting|chose|picked|selected|pilih|memilih|atur|mengatur)\s+([\w']+\s+){0,3}?(jadwal\w*|schedule\w*|audience|audiens|age|usia|umur|goal|objective|tujuan)\b`,
			`(tayang|jalan|ran|shown|show|shows|running|aired|delivered|muncul|came|arrived|landed|masuk|datang)\w*\s+(\w+\s+){0,3}?(jam|at|around|between)\s+\d{1,2}(\s*(pagi|subuh|malam|a\.?m\b|p\.?m\b)|\s+(sampe|sampai|to|and|-|–))`,
			`\bjam\s+\d{1,2}\s+(pagi|subuh|dini\s+hari)`,
			`(picked|chose|selected|pilih|memilih)\s+(\S+\s+){0,4}?(on|as|di|sebagai)\s+(the\s+)?(goal|objective|tujuan)`, `\b(goal|objective|tujuan)(nya)?\s+(was|is|jadi|menjadi|malah|became)\s+['"“‘]`,
			`(telat|terlambat)\s+(jalan|mulai|tayang|aktif)`, `\b(baru|br)\s+(mulai|jalan|jln|tayang|aktif|live)\s+(tgl|tanggal|pas|setelah|sesudah)\b`,
			`\b(only|finally)\s+(started|went\s+live|began)\s+(on|after)\b`, `(didn'?t|did\s+not)\s+(start|go\s+live)\s+until\b`),
		// someone else bought it: "bukan saya yang membeli promosi itu",
		// "it wasn't me who paid", a child who pressed it by accident
		// ("cucu saya … tidak sengaja menekan promosikan", "my son
		// accidentally bought a boost")
		pats(5, `\bbukan\s+(saya|aku|kami|gue|gw|sy)\s+(sendiri\s+)?(yang|yg)\s+(mem|me)?(beli|bayar|pesan|buat|pasang|order)\w*`,
			`\b(wasn'?t|was\s+not|not)\s+(me|us|i)\s+(who|that)\s+(bought|ordered|paid|made|booked|purchased|set\s+up)\b`,
			`\b(son|daughter|kid|kids|child|children|grandson|granddaughter|grandchild|grandkid|nephew|niece|toddler|little\s+(brother|sister|one)|anak|cucu|keponakan|ponakan|adik)(\s+(saya|aku|kami|gue|gw|ku|my|our))?\b[^.\n]{0,120}?\b(tidak\s+sengaja|gak\s+sengaja|ga\s+sengaja|nggak\s+sengaja|by\s+(accident|mistake)|accidentally|without\s+(asking|telling|permission)|tanpa\s+(izin|ijin|bilang|sepengetahuan))`),
		// a time of day or a sound the writer never chose: "I never picked
		// a schedule like that", "gak pernah atur jadwal jam segitu", "in
		// the ad the video is without sound", "musiknya dihapus"
		pats(4, `\b(never|didn'?t|did\s+not|not)\s+(pick|picked|choose|chose|set|select|selected|ask\s+for|asked\s+for|want|wanted)\s+(a\s+|the\s+|that\s+|any\s+)?(schedule|time\s+slot|timing|night\s+slot)\b`,
			`(tidak|tdk|gak|ga|nggak|ngga|belum)\s+(pernah\s+)?(pilih|memilih|milih|atur|mengatur|ngatur|set|pasang)\s+(jadwal|jam\s+tayang|waktu\s+tayang)`,
			`\b(ad|advert|promotion|promo|boost|video|iklan|promosi)\w*\s+([\w']+\s+){0,4}?(without|with\s+no|tanpa)\s+(the\s+|any\s+|its\s+)?(sound|audio|music|song|suara|musik|lagu)\b`,
			`\b(sound|audio|music|song|suara|musik|lagu)(nya)?\s+([\w']+\s+){0,4}?(is\s+|was\s+|got\s+|been\s+|has\s+been\s+)?(removed|muted|missing|stripped|cut\s+out|hilang|ilang|dihapus|dihilangkan|dimatikan|dibisukan|dimute)\b`),
		// something on the ad the business never put there: a banner,
		// label, sticker or caption ("a “50% off” banner across our video,
		// which we did not add", "ada stiker 'Gratis Ongkir' yang tidak
		// pernah kami pasang", "subtitles I never switched on"), over the
		// wrong video's "not the ad we paid for"
		pats(7, `\b(banners?|labels?|stickers?|badges?|overlays?|captions?|subtitles?|watermarks?|stiker|tulisan|teks|spanduk)\b[^\n.!?]{0,100}?\b(we|i|kami|saya|aku|sy|gue|gw)\s+(had\s+|have\s+|ever\s+)?(did\s+not|didn'?t|never|tidak\s+pernah|tdk\s+pernah|gak\s+pernah|ga\s+pernah|nggak\s+pernah|belum\s+pernah|tidak|tdk|gak|ga|nggak)\s+(add|added|put|write|wrote|written|make|made|place|placed|create|created|enable|enabled|turn\s+on|turned\s+on|switch\s+on|switched\s+on|offer|offered|pasang|memasang|tambah\w*|menambah\w*|taruh|tulis|menulis|buat|bikin|membuat|aktifkan|nyalakan)\b`,
			`\b(banners?|labels?|stickers?|badges?|overlays?|captions?|subtitles?|watermarks?|stiker|tulisan|teks|spanduk)\b[^\n.!?]{0,100}?\b(yang|yg)\s+(tidak|tdk|gak|ga|nggak|belum)\s+(pernah\s+)?(kami|saya|aku|sy|gue|gw)\s+(pasang|tambah\w*|taruh|tulis|buat|bikin|aktifkan|nyalakan)\b`))},
}

// negatedRe is a negation just before a phrase: "ini bukan tagihan ganda",
// "not a duplicate charge".
// A word may stand between the article and the phrase ("not a rounding
// error"), and "not that" negates what follows ("not that it
// under-delivered").
var negatedRe = regexp.MustCompile(`(?:^|\W)(?:bukan|not|no|never|tidak|tak|tanpa|isn'?t|wasn'?t)\s+(?:(?:a|an|the|sebuah)\s+(?:\w+\s+)?|that\s+(?:it\s+|they\s+)?)?$`)

// scoreAffirmed scores the patterns that match at least once without a
// negation right before.
func scoreAffirmed(text string, ps []pattern) int {
	var ix textIndex
	return scoreAffirmedIn(text, ps, ix.indexed(text))
}

// scoreAffirmedIn is scoreAffirmed with text's index (nil for none).
func scoreAffirmedIn(text string, ps []pattern, x *textIndex) int {
	n := 0
	for _, p := range ps {
		if !p.matchIn(text, x) {
			continue // most patterns do not match at all: the quick test first
		}
		for _, loc := range p.FindAllStringIndex(text, 4) {
			if !negatedRe.MatchString(text[max(0, loc[0]-24):loc[0]]) {
				n += p.weight
				break
			}
		}
	}
	return n
}

// reasonOf picks the reason the text speaks of most (scoring at least
// least), or "" when it names none.
func reasonOf(text string, least int) tickets.Reason {
	best, bestScore := tickets.Reason(""), least-1
	var ix textIndex
	ix.indexed(text)
	x := ix.withWords(reasonTable, text)
	for _, r := range reasonPatterns {
		if s := scoreAffirmedIn(text, r.ps, x) + shapeScore(r.reason, text, x); s > bestScore {
			best, bestScore = r.reason, s
		}
	}
	return best
}

// reasonTable numbers the words of reasonPatterns: reasonOf searches a
// text once for all of them.
var reasonTable = func() *wordTable {
	groups := make([][]pattern, len(reasonPatterns))
	for i, r := range reasonPatterns {
		groups[i] = r.ps
	}
	return newWordTable(groups...)
}()

// What a mail wants is read clause by clause (sentences, and their parts
// around a comma or a contrast: "but", "tapi", "cuma", "just"), so that
// what a clause negates does not count for it:
//   - a clause that keeps the authorization ("that can stay", "izinnya
//     biar tetap") or negates its revocation ("not asking to revoke",
//     "jangan dicabut") asks for no revocation, whatever it names;
//   - a clause that refuses the money as what is asked ("I don't want a
//     refund", "bukan soal uang") asks for no refund;
//   - a clause that refuses one's own content in ads in any words ("stop
//     using my clip in promotions", "no longer want my videos used",
//     "gak mau mukaku muncul di iklan") asks for a revocation.
//
// "I never got my money back" still asks for it: only a negated wish
// ("don't want", "not asking", "bukan soal") refuses.
const negator = `(?:not|don'?t|do\s+not|doesn'?t|didn'?t|won'?t|will\s+not|wouldn'?t|can'?t|cannot|no|never|isn'?t|bukan|nda|ndak|tidak|tdk|tak|gak|ga|gk|nggak|ngga|enggak|engga|jangan|jgn|ndak|gausah)`

var (
	clauseSplitRe = regexp.MustCompile(`[.!?;\n]+|,|\b(?:but|tapi|tetapi|namun|melainkan|instead|however|cuma|hanya|just|only|yang\s+penting|yg\s+penting)\b`)
	keptRe        = newPattern(`\b`+negator+`\s+(?:[\w']+\s+){0,3}?(?:revok\w*|revoc\w*|withdraw\w*|cabut\w*|dicabut|mencabut|pencabutan|tarik|menarik|ditarik|remove|cancel\w*|opt[ -]?out|hapus\w*|dihapus)\b`+
		`|\b(?:stay|stays|keep|kept|remain|remains|as\s+it\s+is|tetap|biarkan|biarin)\b`, 0)
	// moneyRefusedRe is what stands before a money word that the clause
	// refuses: a negation and at most three words of wanting.
	moneyRefusedRe = regexp.MustCompile(`\b` + negator + `\s+(?:(?:a|an|the|any|for|to|my|asking|ask|want|wanting|need|looking|after|seeking|requesting|chasing|claiming|interested|in|bother|worry|care|about|soal|masalah|urusan|minta|meminta|menuntut|mau|ingin|pengen|butuh|perlu|usah|kok)\s+){0,3}$`)
	// moneyDeclinedRe: the money given up in other words: kept by the
	// desk ("keep the money"), let go ("sudah saya ikhlaskan"), or not to
	// be returned ("tidak perlu dikembalikan", "dananya tidak usah", "no
	// need to refund").
	moneyDeclinedRe = pats(1, `\b(keep|kept|keeping)\s+(the|my|that|this|your)?\s*(money|cash|funds|payment|budget|refund)\b`, `\bikhlas`, `\brelakan\b`,
		`(dana|uang|duit|saldo|refund)(nya)?\s+(\w+\s+){0,3}?(tidak|tdk|gak|ga|gk|nggak|ngga|tak|gausah)\s+(usah|perlu)\b`,
		`(tidak|tdk|gak|ga|gk|nggak|ngga|tak)\s+(usah|perlu|harus)\s+(di)?(kembalikan|kembaliin|balikin|refund)`, `\bgausah\s+(di)?(kembalikan|kembaliin|balikin|refund)`,
		`\bno\s+need\s+(to|for)\s+(a\s+)?(refund|return|give|send|pay)`, `(refund|money)\s+(is\s+)?not\s+(needed|necessary|required|the\s+point|the\s+issue)`,
		`(don'?t|do\s+not)\s+(need|want)\s+(the|my|a|any)?\s*(money|refund)`,
		// the money put aside: "forget the money", "lupakan soal uangnya",
		// "rather revoke it than get a refund", "mending dicabut daripada
		// direfund"
		`(^|[.!?,;:\n]\s*|\b(so|just|ok|okay|then|and|please|pls|actually|udah|sudah|ya\s+udah|yaudah)\s+)(forget|never\s*mind|lupakan|lupain|skip)\s+(about\s+)?(the\s+|my\s+|soal\s+|masalah\s+)?(money|refund|uang\w*|duit\w*|dana\w*|refund\w*)\b`,
		`\brather\s+([\w']+\s+){1,4}?than\s+(get\s+|getting\s+|ask\s+for\s+|asking\s+for\s+)?(a\s+|the\s+|my\s+)?(refund|money)`, `\bdaripada\s+(di-?)?(refund|uang\w*|duit\w*|dana\w*)`)
	// abandonedRe: a first thought given up ("my first thought was to
	// revoke …, but", "awalnya mau cabut izin, tapi"): what it says
	// counts for nothing when a contrast follows.
	abandonedRe = newPattern(`\b(?:(?:my\s+)?first\s+(?:thought|idea|instinct|reaction)|at\s+first|initially|originally|i\s+was\s+(?:going|about|tempted|planning)\s+to|i\s+(?:thought\s+about|considered|almost|nearly)|awalnya|tadinya|mulanya|semula|niatnya|rencananya|sempat\s+(?:mau|ingin|pengen|kepikiran|berpikir))\b`, 0)
	contrastRe  = regexp.MustCompile(`\b(?:but|however|instead|rather|though|tapi|tetapi|namun|melainkan|sekarang|now)\b`)
	refuseRe    = newPattern(`\b(?:(?:tolong|mohon|please|minta|harap)\s+(?:[\w-]+\s+){0,3}(?:dihapus|ditarik|dikeluarkan|diturunkan|dicabut|removed|taken\s+down)|stop|quit|cease|berhenti|hentikan|no\s+longer|remove|delete|hapus|keluarkan|tarik|cabut|keberatan|object(?:ion)?\s+to|(?:don'?t|do\s+not)\s+(?:consent|agree)|(?:tidak|tdk|gak|ga|nggak)\s+(?:setuju|terima|rela|nyaman)|not\s+(?:ok|okay|comfortable|happy)\s+with|(?:don'?t|do\s+not|never)\s+(?:want|wish|allow|let|like)|(?:don'?t|do\s+not)\s+(?:use|put|run|show|promote)|jangan|jgn|(?:gak|ga|gk|tidak|tdk|nggak|ngga|enggak|ogah|nda|ndak|kada)\s+(?:lagi\s+)?(?:mau|ingin|pengen|mengizinkan|mengijinkan|izinkan|ijinkan|rela|suka|setuju|boleh|handak)|berenti|brenti|take\s+(?:them|it|my\s+\w+)\s+(?:out|down|off)|(?:want|need|get|keep)\s+(?:my\s+[\w-]+|them|it)\s+out\s+of|make\s+sure\s+(?:[\w']+\s+){0,5}?(?:not|never|no\s+longer|aren'?t|isn'?t)|pastikan\s+(?:\w+\s+){0,5}?(?:tidak|tdk|gak|ga|nggak))\b`, 0)
	// notUsedAgainRe: one's content not to be used again, said of it
	// ("videoku ga dipake lagi", "my clips not used anymore").
	notUsedAgainRe = newPattern(`\b`+negator+`\s+(?:[\w']+\s+){0,2}?(?:dipake|dipakai|digunakan|dipromosikan|diiklankan|ditayangkan|ditampilkan|used|promoted|shown|featured)\b.{0,24}\b(?:lagi|anymore|again|any\s+more)\b`+
		`|\b`+negator+`\s+(?:lagi|longer|more)\s+(?:be\s+)?(?:dipake|dipakai|digunakan|dipromosikan|diiklankan|ditayangkan|ditampilkan|used|promoted|shown|featured)\b`, 0)
	useRe     = newPattern(`\b(?:us(?:e|es|ed|ing)|pakai|pake|dipakai|dipake|memakai|gunakan|digunakan|menggunakan|penggunaan|promot\w*|dipromosikan|mempromosikan|advertis\w*|iklan\w*|ads?|muncul|appear\w*|tampil\w*|ditampilkan|show(?:s|n|ing)?|sponsor\w*|featur(?:e|ed|es|ing)|tayang\w*|ditayangkan|diiklankan)\b`, 0)
	contentRe = newPattern(`\b(?:video\w*|clips?|klip\w*|content|konten\w*|artwork|karya\w*|face|muka\w*|wajah\w*|foto\w*|photos?|posts?|postingan\w*|reels?|lagu\w*|music|musik\w*)\b`, 0)
	mineRe    = newPattern(`\b(?:my|mine|saya|aku|ku|gue|gw|gua|kami|kita|our)\b|ku\b`, 0)
)

// intent is what a text's clauses ask for, scored; forwarded is what a
// forwarded message adds to the refund.
type intent struct{ revocation, refund, forwarded int }

// readIntent scores text (the subject and the new text, lower case) for a
// revocation and a refund, clause by clause; fwd, a forwarded message, adds
// to the refund's words (a notice's "unused funds") but never asks for a
// revocation.
func readIntent(text, fwd string) intent {
	var in intent
	authKept := false
	text, fwd = withoutDeskName(dropConceded(dropAbandoned(text))), withoutDeskName(fwd)
	// The patterns found anywhere first (most are not): only those are
	// looked for clause by clause, and only when a clause may keep,
	// refuse or negate something.
	revPs, refPs := matching(text, revocationPatterns), matching(text, refundPatterns)
	refSeen := map[int]bool{}
	// Words each rule needs, looked for as plain strings before the
	// regular expressions (which try every position of the text).
	// Content refused in ads is looked for when no revocation's words are
	// there; with them, clauses are read only to see what is kept.
	refusing := len(revPs) == 0 && containsWord(text, contentWords) && containsWord(text, refuseWords) &&
		contentRe.MatchString(text) && (useRe.MatchString(text) && refuseRe.MatchString(text) || notUsedAgainRe.MatchString(text)) && mineRe.MatchString(text)
	keeping := (len(revPs) > 0 || refusing) && containsWord(text, keepWords) && keptRe.MatchString(text)
	refusingMoney := len(refPs) > 0 && moneyRefused(text)
	if !refusing && !keeping && !refusingMoney && (len(revPs) == 0 || len(refPs) == 0) {
		for _, i := range revPs {
			in.revocation += revocationPatterns[i].weight
		}
		for _, i := range refPs {
			refSeen[i] = true
			in.refund += refundPatterns[i].weight
		}
	} else {
		revSeen := map[int]bool{}
		refused, kept := 0, false
		// The sentences whose "keep" is the money's or doubted: their
		// clauses keep no authorization ("Whatever money is left, you can
		// keep it").
		var keptNot []string
		if keeping {
			for _, s := range sentenceRe.Split(text, -1) {
				if keepsNoAuthorization(s) {
					keptNot = append(keptNot, s)
				}
			}
		}
		for _, c := range clauseSplitRe.Split(text, -1) {
			if strings.TrimSpace(c) == "" {
				continue
			}
			clauseRefund := 0
			noMoney := moneyRefused(c)
			for _, i := range refPs {
				if refundPatterns[i].MatchString(c) {
					clauseRefund += refundPatterns[i].weight
					if !noMoney && !refSeen[i] {
						refSeen[i] = true
						in.refund += refundPatterns[i].weight
					}
				}
			}
			refusesContent := (refuseRe.MatchString(c) && useRe.MatchString(c) || notUsedAgainRe.MatchString(c)) && contentRe.MatchString(c) && mineRe.MatchString(c)
			// "keep the money" gives up the money, "take my videos out of
			// the ad library you keep" refuses them: neither keeps the
			// authorization.
			if !refusesContent && keptRe.MatchString(c) && !continuedOnly(c) && !(noMoney && score(c, moneyDeclinedRe) > 0) && !keepsNoAuthorization(c) &&
				!slices.ContainsFunc(keptNot, func(s string) bool { return strings.Contains(s, c) }) {
				kept = true
				continue
			}
			if clauseRefund >= 3 && !noMoney {
				continue // "stop promoting my video and refund the rest": the clause asks for money
			}
			for _, i := range revPs {
				if !revSeen[i] && revocationPatterns[i].MatchString(c) {
					revSeen[i] = true
					in.revocation += revocationPatterns[i].weight
				}
			}
			if refused < 2 && clauseRefund < 3 && refusesContent {
				refused++
				in.revocation += 2
			}
		}
		if kept {
			// The sender keeps the authorization: naming it elsewhere
			// ("About my authorization") asks for no revocation.
			in.revocation = 0
			authKept = true
		}
	}
	if in.revocation == 0 && in.refund < 3 && !authKept && overstayed(text) {
		in.revocation += 4
	}
	if fwd != "" {
		for _, i := range matching(fwd, refundPatterns) {
			if !refSeen[i] {
				in.forwarded += refundPatterns[i].weight
			}
		}
	}
	return in
}

// A use that outlived its permission: the sender let someone else use the
// content ("kase izin ke toko … cuma for satu bulan", "we let Kopi King use
// the video … for their opening promo", "I gave the gym permission") and
// they still use it ("masih dorang pake for iklan", "we still keep seeing
// our video as their ad", "they keep using it"). Asked for nothing else
// (no money), it is the permission the sender wants ended, whatever words
// the ending is asked in. A still that is negated ("masih belum tayang",
// "still not showing") is a promotion that did not run.
var (
	grantRe = newPattern(`\b(?:(?:kasih|kase|kasi|beri|memberi|memberikan|kami\s+beri|sudah\s+kasih)\s+(?:\w+\s+)?(?:izin|ijin)|mengizinkan|mengijinkan|ngizinin|izinin|(?:izin|ijin)(?:nya)?\s+(?:\w+\s+)?(?:cuma|hanya|untuk|buat|for|selama|sampai|sampe)|boleh\s+(?:pakai|pake|memakai|menggunakan)`+
		`|let\s+(?:[\w'-]+\s+){1,3}?(?:use|feature|run|post|repost|show)|allowed\s+(?:[\w'-]+\s+){1,3}?(?:to\s+)?(?:use|feature|run|post|repost|show)|(?:gave|given|granted)\s+(?:[\w'-]+\s+){0,3}?(?:permission|consent|approval|the\s+ok|the\s+okay|the\s+go-ahead|rights?|a\s+licen[cs]e)|permission\s+(?:to|for)\s`+
		// The permission said as the writer's own act or agreement ("Dulu
		// mereka saya izinkan", "kami sepakat mereka boleh pakai", "we
		// agreed that they can use my video", "they were allowed to run
		// it"), or as the video's code handed to them ("I gave them the
		// code from the app", "sent the brand my ad code", "kode iklan
		// video saya kirim ke toko itu").
		`|(?:di)?i[zj]inkan\b|(?:sepakat|setuju|janji|berjanji)\s+(?:bahwa\s+)?(?:[\w-]+\s+){0,3}?(?:boleh|bisa|dapat)\s+(?:memakai|pakai|pake|menggunakan|menayangkan)`+
		`|(?:agreed|agree|deal\s+was|said|told\s+(?:them|him|her))\s+(?:that\s+)?(?:they|he|she|the\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:can|could|may|might|would\s+be\s+able\s+to)\s+(?:use|run|feature|post|repost|show)`+
		`|(?:were|was)\s+(?:allowed|permitted|free)\s+to\s+(?:use|run|feature|post|repost|show)`+
		`|(?:gave|give|given|sent|send|shared|handed)\s+(?:them|him|her|(?:the|that|this)\s+(?:brand|shop|store|company|agency|advertiser|business|client|distributor|reseller|partner|owner|manager))\s+(?:the\s+|my\s+|our\s+|a\s+|an\s+|its\s+)?(?:[\w'-]+\s+){0,2}?(?:codes?|authori[sz]ations?)\b`+
		`|(?:gave|given|sent|shared|handed|provided)\s+(?:my|our|her|his|the)\s+(?:[\w'-]+\s+){0,2}?(?:codes?|authori[sz]ations?)\s+(?:to|with)\s`+
		`|kode\s+(?:iklan|video|otorisasi|spark|ads|konten|postingan)\w*\s+(?:[\w-]+\s+){0,4}?(?:ke|kepada|buat|untuk)\s+(?:mereka|dia|dorang|dong|brand|toko|agensi|perusahaan|distributor|pihak|klien|partner|mitra)`+
		`|(?:kasih|kase|kasi|beri|berikan|memberikan|kirim|kirimkan|mengirim|mengirimkan|bagikan|membagikan)\s+(?:[\w-]+\s+){0,3}?kode\s+(?:iklan|video|otorisasi|spark|ads|konten|postingan))`, 0)
	stillRe    = newPattern(`\b(?:masih|still|keep|keeps|kept|continue[sd]?|continuing|tetap|terus)\s+(?:[\w'-]+\s+){0,3}?(?:using|use|uses|used|running|runs|showing|shows|seeing|see|posting|featuring|pake|pakai|dipake|dipakai|memakai|menggunakan|digunakan|gunakan|tayang\w*|ditayangkan|muncul|dipasang|pasang)\b`, 0)
	stillNotRe = regexp.MustCompile(`\b(?:belum|tidak|tdk|gak|ga|nggak|ngga|nda|not|never|no|isn'?t|aren'?t|wasn'?t|hasn'?t|haven'?t|didn'?t|doesn'?t|don'?t|can'?t|cannot)\b`)
)

// overstayed reports whether text says someone else still uses content
// the sender let them use (grantRe, then stillRe not negated).
func overstayed(text string) bool {
	if !grantRe.mayMatch(text) || !stillRe.mayMatch(text) || !contentRe.MatchString(text) {
		return false
	}
	// The use still going on first: it is rarer than a grant's words
	// ("was", "said", "give" …), so most texts stop here.
	used := false
	for _, loc := range stillRe.FindAllStringIndex(text, 8) {
		if !stillNotRe.MatchString(text[loc[0]:loc[1]]) {
			used = true
			break
		}
	}
	if !used {
		return false
	}
	for _, loc := range grantRe.FindAllStringIndex(text, 8) {
		if g := text[loc[0]:loc[1]]; !strings.HasPrefix(g, "let me ") && !strings.HasPrefix(g, "let us ") &&
			!(strings.HasPrefix(g, "was ") && strings.HasSuffix(text[:loc[0]], "i ")) {
			return true // not "let me use this chance", nor "I was allowed to use a voucher"
		}
	}
	return false
}

// keepsNoAuthorization reports whether a clause's "keep" is not the
// authorization kept: the money left kept ("if there is any money left you
// can keep it"), or the right to keep it doubted ("I don't see why you
// should keep the right to use it").
func keepsNoAuthorization(c string) bool {
	if containsWord(c, doubtWords) {
		return true
	}
	return containsWord(c, []string{"keep", "kept"}) && containsWord(c, []string{"money", "uang", "duit", "dana", "saldo", "funds", "balance", "left over", "leftover"}) &&
		!containsWord(c, []string{"authori", "izin", "permission", "consent", "otorisasi", "stay", "remain", "tetap", "as it is"})
}

// continuedRe: a "keep" or "tetap" that goes on doing something ("we
// still keep seeing our video as their ad", "they keep using it", "mereka
// tetap pakai video saya"), which keeps no authorization.
var continuedRe = regexp.MustCompile(`\b(?:keeps?|kept|keeping)\s+(?:on\s+)?[a-z]+ing\b|\btetap\s+(?:saja\s+|aja\s+)?(?:di)?(?:pakai|pake|memakai|menggunakan|gunakan|tayang\w*|muncul|jalan|pasang)\b`)

// continuedOnly reports whether the clause's every keeping word is a
// continuation (continuedRe).
func continuedOnly(c string) bool {
	if !containsWord(c, []string{"keep", "kept", "tetap"}) {
		return false
	}
	return !keptRe.MatchString(continuedRe.ReplaceAllString(c, " "))
}

// doubtWords question a right rather than keep it.
var doubtWords = []string{"why", "no reason", "kenapa", "mengapa", "untuk apa", "buat apa"}

// dropAbandoned blanks a first thought given up ("My first thought was to
// revoke …, but I'd rather just get refunded", "awalnya mau cabut izin,
// tapi …"): from its words to the contrast that gives it up, in the same
// paragraph; what follows the contrast is what the mail wants.
func dropAbandoned(text string) string {
	if !containsWord(text, abandonWords) {
		return text
	}
	for from := 0; from < len(text); {
		if !abandonedRe.mayMatch(text[from:]) {
			break
		}
		loc := abandonedRe.re.FindStringIndex(text[from:])
		if loc == nil {
			break
		}
		start, end := from+loc[0], from+loc[1]
		rest := text[end:min(len(text), end+240)]
		if p := strings.Index(rest, "\n\n"); p >= 0 {
			rest = rest[:p]
		}
		c := contrastRe.FindStringIndex(rest)
		if c == nil {
			from = end
			continue
		}
		stop := end + c[0]
		text = text[:start] + strings.Repeat(" ", stop-start) + text[stop:]
		from = stop
	}
	return text
}

// The money given up on a condition ("kalau uangnya nggak bisa
// dikembalikan ya sudah", "if the money can't come back, that's fine",
// "even if I don't get a refund, no problem"): a condition (conditionRe,
// to the end of its sentence), then a negation and a consent after it
// (concedeRe), the money named between.
var (
	conditionRe = newPattern(`\b(?:kalau|kalo|klo|jika|jikalau|apabila|bila|seandainya|andaikan|andai|if|whether)\b[^.!?\n]{0,140}`, 0)
	// reportedRe: a refusal reported, with the sentence after it, where
	// the consent often is ("katanya tidak bisa direfund. Ya sudah, saya
	// terima", "CS said no refund, fine").
	reportedRe = newPattern(`\b(?:katanya|kata\s+(?:cs|admin|mereka|tim)|said|told\s+(?:me|us)|bilang(?:nya)?|menurut\s+(?:cs|admin))\b[^.!?\n]{0,140}(?:[.!?]+[ \t]*[^.!?\n]{0,60})?`, 0)
	// concedeRe: a consent (first: "gak apa-apa" is one) or a negation.
	concedeRe = regexp.MustCompile(`((?:ya\s+sudah|yaudah|ya\s+udah|yasudah|ya\s+udh|gapapa|ga\s+papa|gak\s+papa|gpp|(?:gak|ga|nggak|tidak|tak|ndak)\s+apa(?:-apa|2)?|ikhlas|rela|it'?s\s+(?:fine|ok|okay|alright|all\s+right)|that'?s\s+(?:fine|ok|okay|alright|all\s+right)|(?:is|are)\s+fine|fine|okay|ok|oke|no\s+problem|so\s+be\s+it|never\s*mind|no\s+worries|i\s+(?:understand|accept)|saya\s+terima|i'?ll\s+live\s+with)\b)` +
		`|\b(?:tidak|tdk|gak|ga|gk|nggak|ngga|enggak|tak|ndak|nda|teu|ora|can'?t|cannot|can\s+not|won'?t|isn'?t|not|no|don'?t|doesn'?t)\b`)
)

// concedeWords: what a consent cannot be written without.
var concedeWords = []string{"sudah", "udah", "udh", "papa", "gpp", "apa", "ikhlas", "rela", "fine", "ok", "alright", "all right", "problem", "so be it", "mind", "worries", "understand", "accept", "terima", "live with"}

// withoutDeskName blanks the desk's own name ("Selamat siang Tim
// RefundDesk", "Dear Refund Desk team", its address in a quoted header):
// a greeting asks for no refund.
func withoutDeskName(text string) string {
	if !strings.Contains(text, "desk") || !deskNameRe.MatchString(text) {
		return text
	}
	return deskNameRe.ReplaceAllString(text, "desk")
}

var deskNameRe = regexp.MustCompile(`\brefund[ _-]?desk\b`)

// dropConceded blanks the money given up on a condition: it is not what
// the mail asks for. The condition must name the money, negate, and then
// consent (in its sentence).
func dropConceded(text string) string {
	if !containsWord(text, concedeWords) || !containsWord(text, moneyWords) {
		return text
	}
	for _, re := range []pattern{conditionRe, reportedRe} {
		if re.mayMatch(text) {
			text = dropConcededBy(re, text)
		}
	}
	return text
}

// dropConcededBy blanks the spans of re that name the money, negate, and
// then consent.
func dropConcededBy(re pattern, text string) string {
	for _, loc := range re.FindAllStringIndex(text, -1) {
		span := text[loc[0]:loc[1]]
		if !containsWord(span, moneyWords) && !strings.Contains(span, "back") {
			continue
		}
		negated, end := false, -1
		for _, m := range concedeRe.FindAllStringSubmatchIndex(span, -1) {
			if m[2] < 0 { // a negation
				negated = true
			} else if negated {
				end = m[1] // a consent after it
				break
			}
		}
		if end >= 0 {
			text = text[:loc[0]] + strings.Repeat(" ", end) + text[loc[0]+end:]
		}
	}
	return text
}

// The words keptRe, moneyRefusedRe, refuseRe and contentRe cannot match
// without (as parts of words): a quick test before them.
var (
	keepWords    = []string{"revo", "withdraw", "cabut", "tarik", "remove", "cancel", "opt", "hapus", "stay", "keep", "kept", "remain", "as it is", "tetap", "biar"}
	declineWords = []string{"keep", "kept", "ikhlas", "relakan", "usah", "perlu", "harus", "no need", "n't", "not", "forget", "mind", "lupa", "skip", "rather", "daripada"}
	abandonWords = []string{"first", "initially", "originally", "i was", "i thought", "i considered", "i almost", "i nearly", "awalnya", "tadinya", "mulanya", "semula", "niatnya", "rencananya", "sempat"}
	moneyWords   = []string{"refund", "money", "uang", "duit", "dana", "saldo", "pengembalian", "reimburs"}
	refuseWords  = []string{"tolong", "mohon", "please", "minta", "harap", "stop", "quit", "cease", "henti", "longer", "n't", "not", "never", "remove", "delete", "hapus", "keluarkan", "tarik", "cabut", "keberatan", "object", "jangan", "jgn", "ga", "gk", "tidak", "tdk", "ngga", "ogah", "nda", "kada", "renti", "take", "out of", "make sure", "pastikan"}
	contentWords = []string{"video", "clip", "klip", "content", "konten", "artwork", "karya", "face", "muka", "wajah", "foto", "photo", "post", "reel", "lagu", "music", "musik"}
)

// moneyRefused reports whether text refuses the money as what is asked
// ("I don't want a refund", "bukan soal uang", "tidak minta refund"): a
// money word with a negation and at most three words of wanting before it.
func moneyRefused(text string) bool {
	if containsWord(text, declineWords) && score(text, moneyDeclinedRe) > 0 {
		return true
	}
	for _, w := range moneyWords {
		for from := 0; ; {
			i := strings.Index(text[from:], w)
			if i < 0 {
				break
			}
			i += from
			if moneyRefusedRe.MatchString(text[max(0, i-60):i]) {
				return true
			}
			from = i + len(w)
		}
	}
	return false
}

// containsWord reports whether text contains one of words.
func containsWord(text string, words []string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// matching lists the patterns of ps that text matches.
func matching(text string, ps []pattern) []int {
	var ix textIndex
	x := ix.indexed(text)
	var out []int
	for i, p := range ps {
		if p.matchIn(text, x) {
			out = append(out, i)
		}
	}
	return out
}

// withoutEvidenceNotes drops the sentences of text that speak of the
// evidence sent or of what it shows ("Ini ss nya kak, yg views cuma 2.300
// itu", "Di situ terlihat jangkauan hanya 9.100"): a remark beside a file
// is no reason.
func withoutEvidenceNotes(text string) string {
	var keep []string
	for _, s := range sentenceRe.Split(text, -1) {
		if !evidenceNoteRe.MatchString(s) && !evidenceRefRe.MatchString(s) {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, ".\n")
}

var (
	sentenceRe    = regexp.MustCompile(`[.!?]+(?:\s|$)|\n\s*\n`)
	evidenceRefRe = regexp.MustCompile(`\b(?:di\s*situ|di\s*sana|terlihat|kelihatan|keliatan|tampak|as\s+you\s+can\s+see|you\s+can\s+see|you'?ll\s+see|it\s+shows|shows?\s+(?:that|only|the|it)|see\s+(?:the\s+)?(?:attached|above|below|image|picture))\b`)
)

var (
	// notStartedRe: the promotion had not started yet ("belum mulai",
	// "masih ditinjau", "before it started").
	notStartedRe = newPattern(`belum\s+(juga\s+)?(di)?(mulai|jalan|berjalan|tayang|aktif|live)|sebelum\s+(promosi(nya)?\s+|iklan(nya)?\s+)?(di)?(mulai|berjalan|jalan|tayang|aktif)|(masih|sedang)\s+(dalam\s+)?(di)?tinjau|before\s+(it|the\s+(promotion|promo|boost|ad|campaign))\s+(even\s+)?(started|began|ran|went\s+live|start|begins?|goes\s+live)|(has\s*n[o']?t|had\s*n[o']?t|has\s+not|had\s+not)\s+(even\s+)?(started|begun|run|gone\s+live)|not\s+(start|started|live|running|run)\s+yet|still\s+(in|under)\s+review|still\s+pending`, 0)
	// fineRe: the mail says the promotion went well ("went fine", "no
	// complaints", "selesai dengan baik"): no reason unless it names one
	// plainly.
	fineRe = pats(1, `(went|ran|worked|performed)\s+(just\s+)?(fine|well|great|smoothly)`, `(went|ran|worked)\s+(just\s+)?(ok|okay|as\s+expected)`, `no\s+complaints?`,
		`nothing\s+wrong\s+with\s+(it|the\s+promotion)`, `selesai\s+dengan\s+(baik|lancar)`, `berjalan\s+(dengan\s+)?(baik|lancar|normal)`,
		`(tidak|tak|gak|nggak)\s+ada\s+(masalah|keluhan|kendala)`)
)

// cancelPattern: the creator cancels the promotion.
const cancelPattern = `(batalin|batalkan|membatalkan|cancel|cancell?ed|cancell?ing)\s+(promosi|promo|iklan|pesanan|order|the\s+promotion|my\s+promotion|the\s+promo|my\s+promo|the\s+boost|my\s+boost|it\b)`

// cancelRe: the creator cancels the promotion, or asks for it to be
// cancelled ("promosinya dibatalkan saja").
var cancelRe = newPattern(cancelPattern+`|(promosi|promo|iklan|pesanan|order|promotion|boost)(nya)?\s+(\w+\s+)?(di)?(batalkan|batalin|cancell?ed)\b`, 0)

// stopCauseRe: a stop with the policy it was for ("dihentikan karena
// konten tidak memenuhi Pedoman Iklan", "removed due to unoriginal
// content"): it says why outright, and the views below the estimate that
// follow in a notice are its result.
var stopCauseRe = newPattern(stopCauseExpr, 0)

const stopCauseExpr = `(dihentikan|diberhentikan|diturunkan|dihapus|dinonaktifkan|ditangguhkan|dijeda|distop|di-stop|diblokir|stopped|removed|paused|suspended|pulled|taken\s+down|disabled|blocked|halted)\s+` +
	`(karena|krn|akibat|sebab|gara-gara|gara2|because(\s+of)?|due\s+to|for|over)\s+([\w'"“”‘’-]+\s+){0,5}?['"“‘]?(pedoman|kebijakan|ketentuan|aturan|melanggar|pelanggaran|guidelines?|polic(y|ies)|violat\w*|unoriginal|non-?original|orisinal|original|copyright\w*|hak\s+cipta|misleading|menyesatkan|spam\w*|standards?|standar|community|komunitas|prohibited|dilarang|terlarang|inappropriate|restricted)`

// targetSetRe: a place chosen as the target ("udah kami atur targetnya
// Medan", "targeted Cebu only", "set the location to Perth"); viewsFromRe:
// where the views came from ("yang nonton kebanyakan dari Jawa", "most
// viewers were from the US").
var (
	targetSetRe = newPattern(`\b(set|setting|targeted|targeting|aimed|chose|picked|selected|pilih|memilih|atur|mengatur|setel|pasang)\s+([\w']+\s+){0,3}?(to\s+target|target(nya|kan)?|lokasi(nya)?|location|country|negara|region|wilayah|kota|city|area|daerah)\b`+
		`|\btarget(ed|ing|nya)?\s+(lokasi|location|negara|country|wilayah|region|kota|city|area|daerah|di|ke|only|hanya|cuma)\b`, 0)
	viewsFromRe = newPattern(`\b(views?|viewers|audience|impressions|traffic|penonton\w*|(yang|yg)\s+(nonton|liat|lihat|nnton))\s+([\w']+\s+){0,4}?(came\s+)?(from|dari)\s+(luar\s+|other\s+|another\s+|outside\s+)?[a-z]`, 0)
)

// The audience chosen by age or gender and the one the views came from
// (wrongAudience): demoExpr is an age group or a gender ("umur 25–44",
// "aged 35 and over", "25+", "perempuan", "men", "remaja", "teenagers").
const demoExpr = `(ages?|aged|usia|umur|gender|jenis\s+kelamin|kelamin|women|woman|men|man|females?|males?|ladies|girls|boys|perempuan|wanita|cewek|cewe|laki-laki|lelaki|laki|pria|cowok|cowo|ibu-ibu|bapak-bapak|emak-emak|mothers|mums|moms|dads|fathers|teen\w*|remaja|abg|anak-anak|anak\s+(sekolah|smp|sma|sd|kecil|muda)|pelajar|students|school\s*(children|kids)|schoolchildren|schoolkids|kids|children|minors|elderly|pensioners|retirees|young\s+people|older\s+people|lansia|orang\s+tua|(over|under)[\s-]?\d{2}s|\d{2}\s*\+|\d{2}\s*(tahun\s+)?(ke\s+atas|and\s+(over|above|up|older))|\d{2}\s*[-–—·]\s*\d{2})`

var (
	// audienceChosenRe: an age group or gender chosen ("saya pilih
	// penonton perempuan umur 25–44", "dengan sasaran umur 25 tahun ke
	// atas", "set the audience to people aged 35 and over", "targeted
	// mums").
	audienceChosenRe = newPattern(`\b(set|setting|chose|chosen|choose|picked|selected|targeted|targeting|aimed|menargetkan|ditargetkan|targetkan|pilih|memilih|milih|dipilih|atur|mengatur|diatur|setel|pasang)\s+([\w'-]+\s+){0,4}?`+demoExpr+
		`|\b(sasaran|target|targetnya|audience|audiens|targeting)\s+(saya|kami|aku|kita|is|was|were|adalah|yang\s+(saya|kami)\s+pilih)?\s*:?\s*([\w'-]+\s+){0,3}?`+demoExpr, 0)
	// audienceWentRe: the views came from an age group or gender, most
	// or all of them ("hampir semua penontonnya umur 13–17", "di rincian
	// penonton hampir semua laki-laki", "71% of the views came from
	// people aged 13–17", "it was shown mostly to teenagers").
	audienceWentRe = newPattern(`\b(views?|viewers|audience|penonton\w*|tayangan\w*|(yang|yg)\s+(nonton|lihat|liat)|impressions|breakdown|rincian|statisti\w+|insights|analytics)\s+([\w'-]+\s+){0,4}?(hampir\s+semua(nya)?|semuanya|kebanyakan|mayoritas|sebagian\s+besar|mostly|mainly|largely|almost\s+(all|entirely|only)|nearly\s+(all|every)|the\s+majority|majority|\d{1,3}\s*%)\s+([\w'-]+\s+){0,6}?`+demoExpr+
		`|\b(hampir\s+semua|kebanyakan|mayoritas|sebagian\s+besar|mostly|mainly|almost\s+all|nearly\s+all|the\s+majority\s+(were|was))\s+([\w'-]+\s+){0,2}?`+demoExpr+`\s+([\w'-]+\s+){0,2}?(watched|saw|viewed|nonton|menonton|lihat|melihat|yang\s+(nonton|lihat|liat))`+
		`|\b(hampir\s+semua|kebanyakan|mayoritas|sebagian\s+besar|mostly|most\s+of\s+(the|those|my|our)|(the\s+)?majority\s+of(\s+the|\s+those)?)\s+(views|viewers|penonton\w*|(yang|yg)\s+(nonton|lihat|liat)|people\s+who\s+(saw|watched))\s+([\w'-]+\s+){0,4}?`+demoExpr+
		`|\b(shown|showed|served|delivered|went|tayang|ditayangkan|ditampilkan|muncul)\s+(((almost|nearly)\s+)?(mostly|mainly|only|largely|entirely|exclusively)\s+|malah\s+|justru\s+|cuma\s+|hanya\s+|kebanyakan\s+)?(to|ke|kepada|di\s+depan)\s+([\w'-]+\s+){0,2}?`+demoExpr, 0)
	// shortfallRe: too few views said outright ("only 400 views", "of the
	// 10,000 estimated", "di bawah estimasi"): then the shortfall is the
	// reason, whoever watched.
	shortfallRe = newPattern(`\b(only|just|barely|cuma|hanya)\s+(got\s+|reached\s+|dapat\s+|sampai\s+)?[\d.,]+\s*(k|rb|ribu)?\s+(views|viewers|people|orang|penonton|tayangan)`+
		`|\b(out\s+of|of)\s+(the\s+)?[\d.,]+\s*(k|thousand)?\s+(views\s+)?(estimated|promised|expected|quoted)|\b(estimated|promised|expected)\s+[\d.,]+`+
		`|\b(below|under|less\s+than|short\s+of|far\s+from|di\s*bawah|jauh\s+dari|kurang\s+dari)\s+(the\s+)?(estimate|estimasi|target|perkiraan|promised|janji)|\bdari\s+(estimasi|perkiraan|janji)`, 0)
)

// wrongAudience reports whether text says the views went to another age
// group or gender than the one chosen, and not that too few came.
func wrongAudience(text string) bool {
	return audienceChosenRe.MatchString(text) && audienceWentRe.MatchString(text) && !shortfallRe.MatchString(text)
}

// adjustReason corrects what the words alone give: a promotion the
// creator cancelled before it started is a change of mind, not closed
// early, and so is one not begun that the writer's own plans made
// useless, not a technical error (plansChanged); views below the
// estimate after a stop for a policy are the stop's (stopCauseRe); a mail
// that says the promotion went fine gives no reason unless it names one
// plainly.
func adjustReason(r tickets.Reason, text string) tickets.Reason {
	switch {
	case r == "":
	case r == tickets.ReasonClosedEarly && notStartedRe.MatchString(text):
		return tickets.ReasonChangedMind
	case r == tickets.ReasonUnderDelivery && stopCauseRe.MatchString(text):
		return tickets.ReasonStoppedByPlatform
	case r == tickets.ReasonUnderDelivery && targetSetRe.MatchString(text) && viewsFromRe.MatchString(text):
		// "targetnya Medan … yang nonton kebanyakan dari Jawa": the views
		// came, from elsewhere than the place chosen.
		return tickets.ReasonOther
	case (r == tickets.ReasonUnderDelivery || r == tickets.ReasonWrongVideo) && wrongAudience(text):
		// "saya pilih perempuan 25–44 … hampir semua penonton laki-laki":
		// the views came, from another age group or gender than chosen.
		return tickets.ReasonOther
	case r == tickets.ReasonTechnicalError && cancelRe.MatchString(text) && notStartedRe.MatchString(text) && reasonScore(text, r) <= 3:
		// "mau batalin promosi yang belum jalan": the only trouble is
		// that it has not started, and the creator cancels it.
		return tickets.ReasonChangedMind
	case r == tickets.ReasonTechnicalError && plansChanged(text):
		// "the fair we booked for is off, so we don't need it; it is
		// still scheduled": not begun, and no longer wanted.
		return tickets.ReasonChangedMind
	case saysFine(text) && reasonScore(text, r) < 5:
		return ""
	}
	return r
}

// plansChanged reports whether text says the promotion has not begun
// (waitingPats, notStartedRe) and that the writer no longer wants it
// because their own plans changed, more than it names a fault: the words
// of not having begun are no fault of their own.
func plansChanged(text string) bool {
	waiting := scoreAffirmed(text, waitingPats)
	if waiting == 0 && !notStartedRe.MatchString(text) {
		return false
	}
	changed := reasonScore(text, tickets.ReasonChangedMind)
	return changed >= 4 && reasonScore(text, tickets.ReasonTechnicalError)-waiting < changed
}

// saysFine reports whether text says the promotion went fine, and not
// only until something happened ("went well at first but then TikTok
// paused it", "berjalan lancar sampai dihentikan").
func saysFine(text string) bool {
	for _, p := range fineRe {
		if !p.MatchString(text) {
			continue
		}
		loc := p.re.FindStringIndex(text)
		rest := text[loc[1]:]
		if end := strings.IndexAny(rest, ".!?\n"); end >= 0 {
			rest = rest[:end]
		}
		if !untilRe.MatchString(rest) {
			return true
		}
	}
	return false
}

var untilRe = regexp.MustCompile(`\b(?:but|however|then|until|till|except|tapi|tetapi|namun|lalu|kemudian|sampai|hingga|kecuali|sebelum|before)\b`)

// reasonScore is how much text speaks of reason.
func reasonScore(text string, reason tickets.Reason) int {
	for _, r := range reasonPatterns {
		if r.reason == reason {
			var ix textIndex
			x := ix.indexed(text)
			return scoreAffirmedIn(text, r.ps, x) + shapeScore(reason, text, x)
		}
	}
	return 0
}
