package mail

import (
	"regexp"
	"strconv"
	"strings"

	"refunddesk/tickets"
)

// What the shape of a mail says of its reason, over the words of
// reasonPatterns: what people say is told by how it is put together more
// than by its words, which the next creator will choose otherwise.
//
//   - a number of views promised or estimated, and a smaller number that
//     came ("perkiraan 5rb - 6rb penayangan … yang masuk cuma 900an",
//     "quoted 9 000 – 15 000 views. We ended with 2 318"): under_delivery;
//
//   - money taken and nothing where the promotion should be listed ("koin
//     kepotong … di menu Promosi tidak ada apa-apa", "charged … nothing
//     under Promote > History"), or the app that failed while paying:
//     technical_error;
//
//   - one order said against two charges ("Only ordered once … both hit my
//     card"): duplicate_charge;
//
//   - views that came from elsewhere than the place chosen ("all of them
//     were from Brazil … I picked United States"), or money taken from
//     another way of paying than the one chosen ("chose PayPal … it
//     charged the company Visa", "pilih OVO … yang kepotong malah kartu
//     kredit"), or an objective chosen and another one run ("picked
//     “Website visits” … the receipt says Followers", "tujuan «kunjungan
//     profil» … tertulis tujuannya «tayangan video»"): other.
//
//   - the occasion the promotion was for called off ("the fair we
//     booked for won't go ahead", "bazarnya ditiadakan", "the organisers
//     cancelled the retreat"): changed_mind, the writer's own plans.
//
// The count that came may be of followers as well as views ("estimated
// 150–400 new followers … gained 9 followers", "estimasi pengikut baru
// 300-600 … nambah 14").
//
// The creator who ended it herself in any verb ("I killed it myself") is in
// reasonPatterns' closed_early.
func shapeScore(r tickets.Reason, text string, x *textIndex) int {
	switch r {
	case tickets.ReasonUnderDelivery:
		if promisedMoreThanCame(text, x) || estimateAboveCount(text, x) {
			return 4
		}
	case tickets.ReasonTechnicalError:
		if appFailedRe.matchIn(text, x) || paidNothingListed(text, x) {
			return 5
		}
	case tickets.ReasonChangedMind:
		if occasionOff(text, x) {
			return 4
		}
	case tickets.ReasonDuplicateCharge:
		if onceSaid(text, x) && twoSeenRe.matchIn(text, x) {
			return 5
		}
	case tickets.ReasonOther:
		if viewsElsewhere(text, x) {
			return 4
		}
		if otherMethodCharged(text, x) || objectiveSwapped(text, x) {
			return 5
		}
	}
	return 0
}

// cameExpr: what came, said before its number.
const cameExpr = `\b(cuma|cuman|cmn|hanya|only|just|barely|merely|ended\s+(up\s+)?(with|at|on)|finished\s+(up\s+)?(with|at|on)|wrapped\s+up\s+(with|at|on)|came\s+(in\s+)?(at|to)|landed\s+(at|on)|stuck\s+at|gained|gaining|gain|gains|netted|mentok|tembus|masuk|nambah|bertambah|ketambahan|dapetnya|dapatnya|dapat|dapet|dpt|got|received|reached|hasilnya|akhirnya|realisasi\w*|total\w*|actual\w*)\b`

var (
	// promiseRe: a number said before it came: estimated, quoted,
	// promised, projected, "it said I'd get".
	promiseRe = newPattern(`\b(perkiraan|diperkirakan|estimasi\w*|estimate\w*|projected|projection|forecast\w*|predicted|prediksi\w*|diprediksi|dijanjikan|dijanjiin|janji\w*|promised|promising|quoted|guaranteed|dijamin|expected|ditargetkan|said\s+(i'?d|we'?d|it'?d|it\s+would|we\s+would|i\s+would)|katanya|dibilang|tertulis|tertera|bakal\s+(dapat|dapet|dpt)|would\s+(get|reach))\b`, 0)
	// cameRe: what came, said before its number: "cuma", "only", "ended
	// with", "yang masuk", "dapetnya", "wrapped up at", "total received is".
	cameRe = newPattern(cameExpr, 0)
	// countRe: a count as people write it: "912", "2 318", "2.318",
	// "1,2rb", "20k", "900an", "15 ribu".
	countRe = regexp.MustCompile(`^(\d{1,3}(?:[ .,]\d{3})+|\d+(?:[.,]\d+)?)(?:\s*(k|rb|ribu|thousand|jt|juta)\b|-?(an)\b)?`)
	// cameBeforeCountRe: a cue of cameRe right before a count, with the
	// words that may stand between ("cuma sekitar 900", "total received
	// is 3 200").
	cameBeforeCountRe = regexp.MustCompile(`(?:` + cameExpr + `)(?:\s+(?:about|around|approximately|approx\.?|roughly|like|some|a\s+measly|sekitar|kira-kira|kurang\s+lebih|cuma|hanya|only|just|di|at|with|is|was|of|yang|yg)|\s*[=:~±])*\s*$`)
	// notCountRe: what makes a number money, time or a number of things
	// other than views.
	notCountAfterRe = regexp.MustCompile(`^\s*(?:%|persen|percent|x\b|kali|times|hari|days?|jam|hours?|minggu|weeks?|bulan|months?|menit|minutes?|detik|seconds?|koin|coins?|rupiah|dollars?|usd|idr|rand|naira|rupees?|pounds?|euros?|sgd|myr|php|charges?|payments?|videos?|orders?|receipts?|e-?mails?|tahun|years?|am\b|pm\b|pagi|malam)`)
	// moneyBeforeRe: a currency before a number; a currency's letters
	// begin a word ("rs. 500", not "followers 500").
	moneyBeforeRe    = regexp.MustCompile(`(?:(?:^|[^a-z])(?:rp\.?|idr|usd|rs\.?|ksh|kes|php|sgd|myr|rm|ngn|zar)|\$|£|€|₹|₱|₦)\s*$`)
	countRangeSepRe  = regexp.MustCompile(`^\s*(?:-|–|—|to|and|sampai|sampe|hingga|s/d|~)\s*`)
	sentenceBreakRe  = regexp.MustCompile(`[.!?\n]\s`)
	cameAfterCountRe = newPattern(`^\s*(?:views?\s+|penayangan\s+|tayangan\s+|penonton\s+)?(?:doang|aja|saja|only)\b`, 0)
	// audienceAfterRe: what makes a small number a count of people
	// ("9 followers", "7 pengikut", "3 new followers").
	audienceAfterRe = regexp.MustCompile(`^\s*(?:new\s+|baru\s+)?(?:followers?|follows|subscribers?|fans|pengikut|followers?nya|views?|viewers|penonton|tayangan|penayangan|orang|people)\b`)
)

// count reads the count at the start of s: its value and length, when it
// is not money, a time or a number of other things.
func count(text string, at int) (float64, int, bool) {
	s := text[at:]
	m := countRe.FindStringSubmatchIndex(s)
	if m == nil {
		return 0, 0, false
	}
	if at > 0 && (isWordByte(text[at-1]) || text[at-1] >= '0' && text[at-1] <= '9') {
		return 0, 0, false // "r450", a part of a longer word or number
	}
	if s[0] == '0' && len(s) > 1 && s[1] >= '0' && s[1] <= '9' || longestDigits(s[:m[1]]) > 9 {
		return 0, 0, false // a phone number, an order or a video id
	}
	if moneyBeforeRe.MatchString(text[max(0, at-5):at]) || notCountAfterRe.MatchString(s[m[1]:]) {
		return 0, 0, false
	}
	digits, unit := s[m[2]:m[3]], ""
	for _, g := range []int{4, 6} {
		if m[g] >= 0 {
			unit = s[m[g]:m[g+1]]
		}
	}
	var v float64
	switch {
	case len(digits) > 4 && (digits[len(digits)-4] == '.' || digits[len(digits)-4] == ',' || digits[len(digits)-4] == ' ') && (unit == "" || unit == "an"):
		// thousands grouped: "2.318", "2,318", "9 000"
		v, _ = strconv.ParseFloat(strings.NewReplacer(".", "", ",", "", " ", "").Replace(digits), 64)
	default:
		v, _ = strconv.ParseFloat(strings.ReplaceAll(strings.NewReplacer(" ", "").Replace(digits), ",", "."), 64)
	}
	switch unit {
	case "k", "rb", "ribu", "thousand":
		v *= 1000
	case "jt", "juta":
		v *= 1000000
	}
	return v, m[1], true
}

// promisedMoreThanCame reports whether text says a number of views was
// promised (or estimated) and a smaller number came.
func promisedMoreThanCame(text string, x *textIndex) bool {
	if !cameRe.mayMatchIn(text, x) || !promiseRe.matchIn(text, x) {
		return false
	}
	promised := 0.0
	for from, n := 0, 0; n < 8; n++ {
		i := promiseRe.first(text[from:], x) // what the text lacks, its parts lack
		if i < 0 {
			break
		}
		end := from + i + len(promiseRe.at.FindString(text[from+i:]))
		from = end
		// the first count within a few words of the promise, and the
		// lower end of a range ("5rb - 6rb", "9 000 – 15 000")
		window := text[end:min(len(text), end+50)]
		if b := sentenceBreakRe.FindStringIndex(window); b != nil {
			window = window[:b[0]]
		}
		for i := 0; i < len(window); i++ {
			if !isDigit(window[i]) {
				continue
			}
			v, n, ok := count(text, end+i)
			if !ok {
				break
			}
			// "3-4rb": the unit of the range's end is its start's too (a
			// count that runs past the window has no range end in it)
			if sep := countRangeSepRe.FindStringIndex(window[min(i+n, len(window)):]); sep != nil {
				if hi, _, ok := count(text, end+i+n+sep[1]); ok && v < hi && v < 100 && hi >= 1000 {
					v *= 1000
				}
			}
			if v >= 100 && (promised == 0 || v < promised) {
				promised = v
			}
			break
		}
	}
	if promised == 0 {
		return false
	}
	// a smaller count said as what came: after its cue ("yang masuk cuma
	// 900an", "ended with 2 318") or before it ("dapetnya 700 doang",
	// "3 200 only")
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || i > 0 && isDigit(text[i-1]) {
			continue
		}
		before := text[max(0, i-48):i]
		cueBefore := cameRe.mayMatch(before)
		if !cueBefore && !cameAfterCountRe.mayMatch(text[i:min(len(text), i+48)]) {
			continue // no cue on either side: the count is not read
		}
		v, n, ok := count(text, i)
		if !ok || v >= promised || v < 10 && (v < 1 || !audienceAfterRe.MatchString(text[i+n:])) {
			continue // under ten only as a count of people ("gained 9 followers")
		}
		if cueBefore && cameBeforeCountRe.MatchString(before) || cameAfterCountRe.MatchString(text[i+n:]) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// estimateLabelRe: an estimate's row in a notice's table, its label and
// its count ("Estimated website visits 300 – 700", "Perkiraan
// penayangan: 5.000 - 8.000").
var estimateLabelRe = newPattern(`\b(estimated|estimasi|perkiraan|projected|expected)\s+((?:[a-z]+\s+){0,2}?[a-z]+)\s*:?\s*\d`, 0)

// estimateAboveCount reports whether a table's row with an estimate has,
// elsewhere, the same label with a smaller count: what came ("Website
// visits 14 … Estimated website visits 300 – 700", "Penayangan: 640 …
// Perkiraan penayangan: 5.000 - 8.000").
func estimateAboveCount(text string, x *textIndex) bool {
	if !estimateLabelRe.matchIn(text, x) {
		return false
	}
	for _, m := range estimateLabelRe.re.FindAllStringSubmatchIndex(text, 4) {
		label := text[m[4]:m[5]]
		hi, _, ok := count(text, m[1]-1)
		if !ok || hi < 10 {
			continue
		}
		for from := 0; ; {
			i := strings.Index(text[from:], label)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(label)
			if at == m[4] || at > 0 && isWordByte(text[at-1]) {
				continue // the estimate's own label, or a part of a word
			}
			rest := text[from:]
			j := len(rest) - len(strings.TrimLeft(rest, " \t:"))
			if j == len(rest) || !isDigit(rest[j]) {
				continue
			}
			if v, _, ok := count(text, from+j); ok && v < hi {
				return true
			}
		}
	}
	return false
}

var (
	// appFailedRe: the app (or the page, the phone) that failed while
	// paying or setting up: "the app froze on the payment screen",
	// "aplikasinya nge-hang pas bayar".
	appFailedRe = newPattern(`\b(app|aplikasi|aplikasinya|apk|screen|layar|website|site|browser|tiktok\s+app)\s+(\w+\s+){0,2}?(froze|frozen|freezes|freezing|hung|hangs|nge-?hang|ngehang|hang|crash\w*|force[\s-]closed?|keluar\s+sendiri|loading\s+terus|muter\s+terus)\b`, 0)
	// paidRe: money taken.
	paidRe = newPattern(`\b(charged|paid|debited|deducted|taken|billed|kepotong|terpotong|dipotong|ketarik|tertarik|terdebet|didebet|ditagih|bayar|dibayar|membayar|keluar|hit\s+my|went\s+out|left\s+my|came\s+out)`, 0)
	// emptyRes: nothing there; listedRe: where a promotion is listed.
	emptyRes = []pattern{
		newPattern(`\b(nothing|empty|blank|kosong\w*|melompong)\b`, 0),
		newPattern(`\bno\s+(promotions?|promos?|boosts?|campaigns?|orders?|records?|trace)\b|\bnot\s+a\s+(thing|trace|single\s+(promotion|promo|boost))\b`, 0),
		newPattern(`\b(tidak|tdk|gak|ga|nggak|ngga|nda|ndak|gk)\s+ada\s+(apa-apa|apa2|apapun|apa\s+pun|apa\s+apa|promosi\w*|iklan\w*|pesanan\w*|catatan\w*|riwayat\w*|data\w*)`, 0),
	}
	listedRe   = regexp.MustCompile(`\b(menu|tab|halaman|daftar|riwayat|history|dashboard|list|section|page|screen|beranda|ads\s+manager|kelola\s+promosi|promote\s*>)`)
	notWrongRe = regexp.MustCompile(`^\s*(\w+\s+){0,2}?(wrong|odd|strange|unusual|weird|amiss|salah|aneh|janggal)\b`)
)

// paidNothingListed reports whether text says money was taken and, in a
// clause of its own (between commas), that nothing is where the promotion
// should be listed: "nothing in the Ads history", "di riwayat promosi ga
// ada apa2", not "got nothing in sales, and the dashboard shows …".
func paidNothingListed(text string, x *textIndex) bool {
	paid := false
	for _, p := range emptyRes {
		if !p.matchIn(text, x) {
			continue
		}
		if paid = paid || paidRe.matchIn(text, x); !paid {
			return false
		}
		for _, loc := range p.FindAllStringIndex(text, 8) {
			if notWrongRe.MatchString(text[loc[1]:]) {
				continue // "nothing looks wrong"
			}
			from := strings.LastIndexAny(text[:loc[0]], ".!?,;\n") + 1
			to := len(text)
			if i := strings.IndexAny(text[loc[1]:], ".!?,;\n"); i >= 0 {
				to = loc[1] + i
			}
			if listedRe.MatchString(text[from:to]) {
				return true
			}
		}
	}
	return false
}

// orderVerb: the verbs of ordering and paying, for onceRes; onceEnd: what
// follows "once" said of an order (not "once it started").
const onceEnd = `(\s*([.!?,;)]|$)|\s+(only|but|and|though|yet|tapi|padahal|aja|saja|doang|kok|kak|ya)\b)`

const orderVerb = `(ordered|order|paid|pay|bought|booked|purchased|placed|checked\s+out|checkout|pesan|memesan|beli|membeli|bayar|membayar|transaksi|melakukan)`

var (
	// onceRes: one order said ("only ordered once", "cuma checkout 1x",
	// "hanya melakukan satu kali pemesanan", "booked only one promotion");
	// twoSeenRe: two of what a charge leaves ("two of these", "both hit my
	// card", "kepotongnya dua", "again"), on a statement too ("dua baris
	// pendebetan", "two identical entries").
	onceRes = []pattern{
		newPattern(`\b`+orderVerb+`\s+(\w+\s+){0,2}?(once|one time)`+onceEnd, 0),
		newPattern(`\b`+orderVerb+`\s+(\w+\s+){0,2}?(1x|1 x|1 kali|satu kali|sekali aja|sekali saja|sekali doang)`+onceEnd, 0),
		newPattern(`\b(only|just|cuma|cuman|hanya|padahal)\s+(\w+\s+){0,2}?(`+orderVerb+`\s+(\w+\s+){0,2}?)?(sekali|(one|a\s+single|1|satu|sebuah)\s+(kali\s+)?(order|promo\w*|boost|campaign|purchase|payment|transaction|pesanan|promosi|pemesanan|pembelian|pembayaran|transaksi|checkout))\b`, 0),
		newPattern(`\b`+orderVerb+`\s+(only|just)\s+(one|a\s+single|1)\s+(order|promo\w*|boost|campaign|purchase)\b`, 0),
	}
	twoSeenRe = newPattern(`\b(two|2|dua)\s+(of\s+(these|them|those)|(\w+\s+)?(receipts?|struk\w*|invoices?|e-?mails?|mails|confirmations?|notifications?|notif\w*|bukti|tagihan|charges?|payments?|debits?|transaksi|potongan|pembayaran|konfirmasi|amounts?|deductions?|sms|mutasi|pendebetan|pendebitan|debet|penarikan|tarikan|pemotongan|entries|transactions?|withdrawals?))\b|`+
		`\b(both|keduanya|dua-duanya|dua2nya)\s+(\w+\s+){0,2}?(hit|went|charged|debited|posted|taken|came|kepotong|terpotong|ditagih|masuk|kena|dipotong|ketarik|are|were|got)\b|`+
		`\b(kepotong|terpotong|dipotong|ditagih|charged|debited)\w*\s+(\w+\s+)?(dua|two|2)\b|\b(twice|again|dua\s+kali|2\s*x|2\s+kali)\b|\bstruk\w*\s+(\w+\s+){0,2}?(dua|2)\b`, 0)
)

var (
	// originRe: where the views came from, said of them after a pause
	// ("the views came, but nearly all of them were from India",
	// "hampir semuanya dari Malaysia").
	originRe    = newPattern(`\b(all|most|mostly|nearly\s+all|almost\s+all|half|majority|bulk|semua\w*|kebanyakan|mayoritas|sebagian\s+besar)\s+(of\s+)?(them\s+|those\s+|it\s+|the\s+views\s+|the\s+viewers\s+|the\s+audience\s+|penontonnya\s+)?((were|was|came|are|is|berasal|datang|asalnya)\s+)?(\w+\s+)?(from|dari)\s+(the\s+)?[a-z]`, 0)
	viewsWordRe = newPattern(`\b(views?|viewers|penonton\w*|tayangan|penayangan|audience|impressions|traffic|reach)`, 0)
	// choiceRe: the place chosen, or where the creator sells: "I chose
	// Canada when I set it up", "padahal saya pilih Indonesia", "though
	// I'd set it to the UK", "I sell cakes out of a kitchen in Dayton".
	choiceRe = newPattern(`\b(picked|chose|chosen|selected|set|targeted|pilih|milih|memilih|dipilih|atur|setting)\s+([\w']+\s+){0,3}?(when|while|during|waktu|pas|saat|ketika)\s+(i|we|saya|aku|kami|bikin|buat|setting|set|order|pesan)\b|`+
		`\bpadahal\s+(\w+\s+){0,4}?(pilih|milih|memilih|dipilih|set|setting|atur|target\w*)\b|`+
		`\b(though|although|but|when|while)\s+(i|we)('d|'ve|\s+had|\s+have)?\s+(picked|chose|selected|set|targeted)\b|`+
		`\b(sell|sells|selling|based|located|operate|ship|shipping|deliver|jualan|tinggal|domisili|buka)\s+(\w+\s+){0,5}?(in|di|out\s+of|around|only\s+in|hanya\s+di|cuma\s+di)\s+[a-z]`, 0)
)

// onceSaid reports whether text says one order was made.
func onceSaid(text string, x *textIndex) bool {
	for _, p := range onceRes {
		if p.matchIn(text, x) {
			return true
		}
	}
	return false
}

// viewsElsewhere reports whether text says where the views came from and,
// besides, the place chosen or served: views from elsewhere than meant.
func viewsElsewhere(text string, x *textIndex) bool {
	if !viewsWordRe.matchIn(text, x) || !choiceRe.matchIn(text, x) {
		return false
	}
	return originRe.matchIn(text, x) || viewsFromRe.matchIn(text, x)
}

// A way of paying, for otherMethodCharged: its words, and the name of
// what they name (a card by any brand is a card).
const methodExpr = `(paypal|gopay|go-pay|ovo|dana\s+(wallet|e-?wallet)|shopeepay|shopee\s+pay|linkaja|link\s+aja|qris|gcash|paymaya|upi|paytm|phonepe|m-?pesa|apple\s+pay|google\s+pay|gpay|visa|mastercard|master\s+card|amex|american\s+express|credit\s+card|debit\s+card|card|kartu(\s+(kredit|debit))?|bank\s+transfer|transfer\s+bank|virtual\s+account|akulaku|kredivo)\b`

var (
	// methodChosenRe: the way of paying chosen ("chose PayPal at
	// checkout", "pilih bayar pakai OVO", "selected Google Pay");
	// methodChargedRe: the one the money was taken from ("it charged the
	// company Visa", "yang kepotong malah kartu kredit kantor", "came off
	// my BPI card", "the Mastercard was billed").
	methodChosenRe  = newPattern(`\b(chose|chosen|choose|picked|pick|selected|select|opted\s+for|pilih|milih|memilih|dipilih|pilihnya)\s+([\w']+\s+){0,3}?`+methodExpr, 0)
	methodChargedRe = newPattern(`\b(charged|billed|debited|deducted|taken\s+from|came\s+(off|out\s+of|from)|went\s+(on|to)|hit|kepotong|terpotong|dipotong|motong|ditagih\w*|ditagihkan|didebet|terdebet|ketarik|ditarik|narik|menarik|nagih|tagihnya\s+(ke|masuk))\s+(dari\s+|ke\s+|from\s+|to\s+|on\s+|malah\s+|justru\s+)?([\w']+\s+){0,3}?`+methodExpr+
		`|\b`+methodExpr+`\s+([\w']+\s+){0,2}?(was|got|has\s+been|yang|yg)\s+(malah\s+|justru\s+)?(charged|billed|debited|kepotong|terpotong|dipotong|ditagih|didebet|terdebet|ketarik)\b`, 0)
)

// methodName is the way of paying a word of methodExpr names.
func methodName(w string) string {
	w = strings.Join(strings.Fields(strings.ReplaceAll(w, "-", " ")), " ")
	switch {
	case strings.Contains(w, "card") || strings.HasPrefix(w, "kartu") || w == "visa" || w == "mastercard" || w == "amex" || w == "american express" || w == "cc":
		return "card"
	case strings.HasPrefix(w, "dana "):
		return "dana"
	case w == "shopee pay":
		return "shopeepay"
	case w == "link aja":
		return "linkaja"
	case w == "gpay":
		return "google pay"
	case w == "go pay":
		return "gopay"
	case w == "transfer bank":
		return "bank transfer"
	}
	return w
}

var (
	methodEndRe   = regexp.MustCompile(methodExpr + `$`)
	methodStartRe = regexp.MustCompile(`^` + methodExpr)
)

// otherMethodCharged reports whether text says a way of paying was chosen
// and money was taken from another, none of those chosen.
func otherMethodCharged(text string, x *textIndex) bool {
	if !methodChosenRe.matchIn(text, x) || !methodChargedRe.matchIn(text, x) {
		return false
	}
	chosen := map[string]bool{}
	for _, loc := range methodChosenRe.FindAllStringIndex(text, 8) {
		if m := methodEndRe.FindString(text[loc[0]:loc[1]]); m != "" {
			chosen[methodName(m)] = true
		}
	}
	for _, loc := range methodChargedRe.FindAllStringIndex(text, 8) {
		m := text[loc[0]:loc[1]]
		name := methodEndRe.FindString(m)
		if w := methodStartRe.FindString(m); w != "" {
			name = w // the passive "the Mastercard was billed": the way first
		}
		if name != "" && !chosen[methodName(name)] {
			return true
		}
	}
	return false
}

var (
	// occasionRe: what a promotion is bought for: an event, a fair, a
	// course, a pop-up, a launch, a wedding; "acara", "pameran", "kelas".
	occasionRe = newPattern(`\b(events?|fairs?|exhibitions?|expos?|markets?|bazaars?|bazars?|pop-?ups?|courses?|classes|class|workshops?|seminars?|webinars?|concerts?|gigs?|festivals?|tours?|trips?|retreats?|grand\s+openings?|launch(es)?|parties|party|weddings?|conferences?|tournaments?|screenings?|performances?|recitals?|camps?|acara|pameran|bazar|kelas|kursus|pelatihan|konser|pentas|pembukaan|peluncuran|lomba|turnamen|pesta|nikahan|pernikahan|resepsi|hajatan|reuni)(nya)?\b`, 0)
	// occasionEndRe: the occasion called off, after it in its clause;
	// occasionEndBeforeRe: before it ("cancelled the fair", "membatalkan
	// acara").
	occasionEndRe       = regexp.MustCompile(`\b(cancell?ed|called\s+off|scrapped|axed|postponed|(is|was|are|were|'s)\s+off|isn'?t\s+happening|(is|are)\s+not\s+happening|not\s+happening\s+(any\s*more|now)|won'?t\s+(happen|go\s+ahead|take\s+place|be\s+(happening|going\s+ahead|held))|will\s+not\s+(happen|go\s+ahead|take\s+place|be\s+held)|(not|no\s+longer)\s+going\s+ahead|fell\s+through|fallen\s+through|(di)?batalkan|dibatalin|batal|ditiadakan|diundur|ditunda|bubar|(tidak|tdk|gak|ga|nggak|ngga|ora|teu|` + regionalNo + `)\s+jadi)\b`)
	occasionEndBeforeRe = regexp.MustCompile(`\b(cancell?ed|called\s+off|scrapped|axed|postponed|membatalkan|batalkan|pembatalan|batalnya|mengundur|menunda)\s+(the|our|my|their|its|this|that|a|an)?\s*(\w+\s+)?$`)
	// promoWordRe: the promotion or its payment named between: what is
	// called off is then the promotion, not the occasion.
	promoWordRe = regexp.MustCompile(`\b(promo|promos|promosi(nya)?|promotions?|iklan(nya)?|boosts?|ads?|adverts?|campaigns?|payments?|pembayaran\w*|orders?|pesanan\w*|transaksi\w*|tiktok)\b`)
	// forOccasionRe: the promotion for the occasion ("the ad for my
	// fair"), said before it; notOccasionRe: the occasion word in another
	// sense ("of course", "third party", "to launch").
	forOccasionRe = regexp.MustCompile(`\b(promo|promosi\w*|promotions?|iklan\w*|boosts?|ads?|adverts?|campaigns?)\s+(\w+\s+)?(for|untuk|buat|utk|of|about|tentang)\s+(\w+\s+){0,3}$`)
	notOccasionRe = regexp.MustCompile(`\b(of|third|3rd|first|to)[\s-]$`)
	byPlatformRe  = regexp.MustCompile(`^\s+(by|oleh|sama|dari)\s+(tiktok|the\s+platform|the\s+system|you|sistem|pihak\s+tiktok)\b`)
)

// occasionOff reports whether text says the occasion a promotion was for
// was called off, in a clause of its own (up to its end, or a comma),
// and not the promotion or its payment.
func occasionOff(text string, x *textIndex) bool {
	if !occasionRe.matchIn(text, x) {
		return false
	}
	for _, loc := range occasionRe.FindAllStringIndex(text, 8) {
		before := text[max(0, loc[0]-48):loc[0]]
		if notOccasionRe.MatchString(before) || forOccasionRe.MatchString(before) {
			continue
		}
		if occasionEndBeforeRe.MatchString(before) && !promoWordRe.MatchString(text[loc[0]:loc[1]]) {
			return true
		}
		rest := text[loc[1]:min(len(text), loc[1]+80)]
		if i := strings.IndexAny(rest, ".!?;,\n"); i >= 0 {
			rest = rest[:i]
		}
		m := occasionEndRe.FindStringIndex(rest)
		if m == nil || promoWordRe.MatchString(rest[:m[0]]) || byPlatformRe.MatchString(rest[m[1]:]) {
			continue
		}
		return true
	}
	return false
}

// The objective a promotion is bought for, by its name (objectiveExpr),
// chosen (objectiveChosenRe) and said to be what ran (objectiveRanRe);
// the words between hold no digits, so that a count ("paid for 10,000
// views", "says 300 views") names none.
const objectiveExpr = `(profile\s+visits?|website\s+(visits?|traffic|clicks?)|clicks?\s+to\s+(the\s+|my\s+|our\s+)?website|video\s+views|views|(new\s+|more\s+)?followers|kunjungan\s+(ke\s+)?(profil|situs|website|web)|klik\s+(ke\s+)?(situs|website|web)|tayangan(\s+video)?|pengikut(\s+baru)?)\b`

var (
	objectiveChosenRe = newPattern(`\b(picked|chose|chosen|choose|selected|select|bought|paid\s+for|ordered|wanted|pilih|memilih|milih|dipilih|membeli|beli|memesan|tujuan(nya)?|objective|goal)\s+([a-z'"«»-]+\s+){0,4}?["'«“]?`+objectiveExpr, 0)
	objectiveRanRe    = newPattern(`\b(says|said|shows|showed|shown|reads|listed|ran\s+(for|as)|running\s+(for|as)|run\s+(for|as)|changed\s+to|switched\s+to|became|turned\s+into|tertulis|tercantum|tertera|berubah\s+(jadi|menjadi|ke)|diganti\s+(jadi|menjadi|ke)|diubah\s+(jadi|menjadi|ke)|dijalankan\s+(untuk|sebagai))\s+([a-z'"«»-]+\s+){0,3}?["'«“]?`+objectiveExpr, 0)
	objectiveNameRe   = regexp.MustCompile(objectiveExpr)
)

// objectiveSwapped reports whether text names an objective chosen and
// another said to be what ran: a purchase other than the one made.
func objectiveSwapped(text string, x *textIndex) bool {
	if !objectiveRanRe.matchIn(text, x) || !objectiveChosenRe.matchIn(text, x) {
		return false
	}
	names := func(p pattern) map[string]bool {
		out := map[string]bool{}
		for _, m := range p.re.FindAllString(text, 8) {
			if loc := objectiveNameRe.FindAllString(m, -1); len(loc) > 0 {
				out[objectiveName(loc[len(loc)-1])] = true
			}
		}
		return out
	}
	chosen, ran := names(objectiveChosenRe), names(objectiveRanRe)
	for c := range chosen {
		for r := range ran {
			if c != r {
				return true
			}
		}
	}
	return false
}

// objectiveName is the objective a name of objectiveExpr names.
func objectiveName(w string) string {
	switch {
	case strings.Contains(w, "profil"):
		return "profile"
	case strings.Contains(w, "web") || strings.Contains(w, "situs"):
		return "website"
	case strings.Contains(w, "follower") || strings.Contains(w, "pengikut"):
		return "followers"
	}
	return "views"
}
