package tickets

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// EvalInput is everything the policy looks at for one ticket. The service
// gathers it from the store; Evaluate itself reads nothing else.
type EvalInput struct {
	Kind          Kind
	Account       string
	Order         string
	Reason        Reason
	Language      string
	EvidenceCount int
	Flags         []string
	// Promotion is the order's record, nil when it is not on record.
	Promotion *Promotion
	// Twins are other orders with the same account, video and amount
	// (the store may return more; Evaluate applies the window itself).
	Twins []Promotion
	// Authorizations are the requester account's authorizations on record.
	Authorizations []Authorization
	Now            time.Time
}

// Rule names, as they appear in a verdict.
const (
	RuleOrderGiven          = "order_given"
	RuleOrderOnRecord       = "order_on_record"
	RuleAccountGiven        = "account_given"
	RuleAccountMatches      = "account_matches"
	RuleNotRefunded         = "not_refunded"
	RuleRefundWindow        = "refund_window"
	RuleReasonGiven         = "reason_given"
	RulePromotionFinished   = "promotion_finished"
	RuleEvidence            = "evidence"
	RuleUnderDelivery       = "under_delivery"
	RuleTechnicalError      = "technical_error"
	RuleRejected            = "rejected"
	RuleStoppedByPlatform   = "stopped_by_platform"
	RuleDuplicateCharge     = "duplicate_charge"
	RuleNonRefundable       = "non_refundable"
	RuleOther               = "other"
	RuleSenderVerified      = "sender_verified"
	RuleAuthorizationActive = "authorization_active"
)

// OutcomePass is the outcome of a check that let the request through.
const OutcomePass = "pass"

// evaluation accumulates the steps of one run.
type evaluation struct {
	lang  string
	steps []RuleStep
}

func (e *evaluation) add(rule, outcome, en, id string) {
	local := en
	if e.lang == LangIndonesian {
		local = id
	}
	e.steps = append(e.steps, RuleStep{Rule: rule, Outcome: outcome, Detail: en, DetailRequester: local})
}

func (e *evaluation) pass(rule, en, id string) { e.add(rule, OutcomePass, en, id) }

func (e *evaluation) decide(v Verdict, amount int64, currency string, rule, en, id string) Eligibility {
	e.add(rule, string(v), en, id)
	return Eligibility{Verdict: v, RefundAmount: amount, Currency: currency, Rules: e.steps}
}

// Evaluate applies the policy to a request: the checks run in order, the
// first that decides gives the verdict, and every check that ran is listed.
func (p *Policy) Evaluate(in EvalInput) Eligibility {
	ev := &evaluation{lang: in.Language}
	var out Eligibility
	if in.Kind == KindRevocation {
		out = p.evaluateRevocation(ev, in)
	} else {
		out = p.evaluateRefund(ev, in)
	}
	// A sender we could not verify never gets money on the policy's word alone.
	if out.Verdict == VerdictEligible && hasFlag(in.Flags, FlagUnverifiedSender) {
		out = ev.decide(VerdictNeedsReview, out.RefundAmount, out.Currency, RuleSenderVerified,
			"The sender's address could not be verified (DMARC, DKIM or SPF failed): an agent will confirm the request before anything is refunded.",
			"Alamat pengirim tidak dapat diverifikasi (DMARC, DKIM atau SPF gagal): agen kami akan memastikan permintaan ini sebelum dana dikembalikan.")
	}
	out.EvaluatedAt = in.Now
	return out
}

func hasFlag(flags []string, flag string) bool {
	for _, f := range flags {
		if f == flag {
			return true
		}
	}
	return false
}

func (p *Policy) evaluateRefund(ev *evaluation, in EvalInput) Eligibility {
	// 1. An order number.
	if in.Order == "" {
		return ev.decide(VerdictNeedsInfo, 0, "", RuleOrderGiven,
			"No order number was given; it is needed to find the promotion.",
			"Nomor pesanan belum diberikan; nomor ini diperlukan untuk menemukan promosi Anda.")
	}
	ev.pass(RuleOrderGiven, "Order number "+in.Order+" was given.", "Nomor pesanan "+in.Order+" sudah diberikan.")

	// 2. On record.
	pr := in.Promotion
	if pr == nil {
		return ev.decide(VerdictNeedsInfo, 0, "", RuleOrderOnRecord,
			"Order "+in.Order+" is not in the promotion records; the number needs checking.",
			"Pesanan "+in.Order+" tidak ditemukan di catatan promosi kami; mohon periksa kembali nomornya.")
	}
	cur := pr.Currency
	ev.pass(RuleOrderOnRecord,
		fmt.Sprintf("Order %s is on record: %s paid by %s, %s.", pr.OrderNumber, FormatMoney(pr.Amount, cur, LangEnglish), pr.Account, promoStatusText(pr.Status, LangEnglish)),
		fmt.Sprintf("Pesanan %s tercatat: %s dibayar oleh %s, %s.", pr.OrderNumber, FormatMoney(pr.Amount, cur, LangIndonesian), pr.Account, promoStatusText(pr.Status, LangIndonesian)))

	// 3. An account name.
	if in.Account == "" {
		return ev.decide(VerdictNeedsInfo, 0, cur, RuleAccountGiven,
			"No account name was given.",
			"Nama akun belum diberikan.")
	}
	ev.pass(RuleAccountGiven, "Account "+in.Account+" was given.", "Akun "+in.Account+" sudah diberikan.")

	// 4. The order's account.
	if AccountKey(in.Account) != AccountKey(pr.Account) {
		return ev.decide(VerdictNeedsReview, 0, cur, RuleAccountMatches,
			fmt.Sprintf("The account %s differs from the order's account %s; an agent will check who owns the order.", in.Account, pr.Account),
			fmt.Sprintf("Akun %s berbeda dengan akun pada pesanan (%s); agen kami akan memeriksa pemilik pesanan ini.", in.Account, pr.Account))
	}
	ev.pass(RuleAccountMatches, "The account matches the order's.", "Akun sesuai dengan akun pada pesanan.")

	// 5. Nothing refunded yet (in full).
	if pr.Refunded >= pr.Amount {
		return ev.decide(VerdictIneligible, 0, cur, RuleNotRefunded,
			fmt.Sprintf("This order has already been refunded (%s of %s).", FormatMoney(pr.Refunded, cur, LangEnglish), FormatMoney(pr.Amount, cur, LangEnglish)),
			fmt.Sprintf("Dana untuk pesanan ini sudah dikembalikan (%s dari %s).", FormatMoney(pr.Refunded, cur, LangIndonesian), FormatMoney(pr.Amount, cur, LangIndonesian)))
	}
	if pr.Refunded > 0 {
		ev.pass(RuleNotRefunded,
			fmt.Sprintf("%s was refunded already; at most %s remains.", FormatMoney(pr.Refunded, cur, LangEnglish), FormatMoney(pr.Remaining(), cur, LangEnglish)),
			fmt.Sprintf("%s sudah dikembalikan; sisa paling banyak %s.", FormatMoney(pr.Refunded, cur, LangIndonesian), FormatMoney(pr.Remaining(), cur, LangIndonesian)))
	} else {
		ev.pass(RuleNotRefunded, "Nothing has been refunded for this order yet.", "Belum ada dana yang dikembalikan untuk pesanan ini.")
	}

	// 6. The refund window.
	if ended, ok := pr.EndedAt(); ok {
		limit := ended.Add(time.Duration(p.WindowDays) * 24 * time.Hour)
		if in.Now.After(limit) {
			return ev.decide(VerdictIneligible, 0, cur, RuleRefundWindow,
				fmt.Sprintf("The promotion ended on %s, more than %d days ago: the refund window closed on %s.", FormatDate(ended, LangEnglish), p.WindowDays, FormatDate(limit, LangEnglish)),
				fmt.Sprintf("Promosi berakhir pada %s, lebih dari %d hari yang lalu: batas waktu pengembalian dana berakhir pada %s.", FormatDate(ended, LangIndonesian), p.WindowDays, FormatDate(limit, LangIndonesian)))
		}
		ev.pass(RuleRefundWindow,
			fmt.Sprintf("The promotion ended on %s, within the %d-day refund window.", FormatDate(ended, LangEnglish), p.WindowDays),
			fmt.Sprintf("Promosi berakhir pada %s, masih dalam batas waktu pengembalian dana %d hari.", FormatDate(ended, LangIndonesian), p.WindowDays))
	} else {
		ev.pass(RuleRefundWindow, "The promotion has not ended, so the refund window is open.",
			"Promosi belum berakhir, jadi batas waktu pengembalian dana masih terbuka.")
	}

	// 7. By reason.
	switch {
	case in.Reason == "":
		return ev.decide(VerdictNeedsInfo, 0, cur, RuleReasonGiven,
			"No reason was given for the refund.",
			"Alasan pengembalian dana belum diberikan.")
	case p.NonRefundableReason(in.Reason):
		return p.nonRefundable(ev, in.Reason, cur)
	}
	switch in.Reason {
	case ReasonUnderDelivery:
		return p.underDelivery(ev, in, pr)
	case ReasonTechnicalError:
		if p.TechnicalError.RequireEvidence && in.EvidenceCount == 0 {
			return missingEvidence(ev, cur, "a screenshot of the error, or of the promotion not running",
				"tangkapan layar error, atau promosi yang tidak berjalan")
		}
		if p.TechnicalError.RequireEvidence {
			passEvidence(ev, in.EvidenceCount)
		}
		amount := pr.Remaining()
		switch {
		case pr.Incident:
			return ev.decide(VerdictEligible, amount, cur, RuleTechnicalError,
				"The platform recorded a technical incident on this promotion: full refund of "+FormatMoney(amount, cur, LangEnglish)+".",
				"Platform mencatat gangguan teknis pada promosi ini: pengembalian penuh sebesar "+FormatMoney(amount, cur, LangIndonesian)+".")
		case pr.DeliveredReach == 0:
			return ev.decide(VerdictEligible, amount, cur, RuleTechnicalError,
				"The promotion delivered nothing: full refund of "+FormatMoney(amount, cur, LangEnglish)+".",
				"Promosi tidak menghasilkan jangkauan sama sekali: pengembalian penuh sebesar "+FormatMoney(amount, cur, LangIndonesian)+".")
		}
		return ev.decide(VerdictNeedsReview, 0, cur, RuleTechnicalError,
			fmt.Sprintf("No incident is on record and the promotion delivered %s; an agent will review the evidence.", FormatCount(pr.DeliveredReach, LangEnglish)),
			fmt.Sprintf("Tidak ada gangguan yang tercatat dan promosi menghasilkan jangkauan %s; agen kami akan meninjau bukti Anda.", FormatCount(pr.DeliveredReach, LangIndonesian)))
	case ReasonRejected:
		if pr.Status == PromoRejected {
			amount := pr.Remaining()
			return ev.decide(VerdictEligible, amount, cur, RuleRejected,
				"The promotion was rejected in review after payment: full refund of "+FormatMoney(amount, cur, LangEnglish)+".",
				"Promosi ditolak saat peninjauan setelah pembayaran: pengembalian penuh sebesar "+FormatMoney(amount, cur, LangIndonesian)+".")
		}
		return ev.decide(VerdictNeedsReview, 0, cur, RuleRejected,
			"The record says the promotion is "+promoStatusText(pr.Status, LangEnglish)+", not rejected; an agent will review.",
			"Catatan kami menunjukkan promosi "+promoStatusText(pr.Status, LangIndonesian)+", bukan ditolak; agen kami akan meninjaunya.")
	case ReasonStoppedByPlatform:
		if pr.Status != PromoStoppedByPlatform {
			return ev.decide(VerdictNeedsReview, 0, cur, RuleStoppedByPlatform,
				"The record says the promotion is "+promoStatusText(pr.Status, LangEnglish)+", not stopped by the platform; an agent will review.",
				"Catatan kami menunjukkan promosi "+promoStatusText(pr.Status, LangIndonesian)+", bukan dihentikan oleh platform; agen kami akan meninjaunya.")
		}
		unspent := max(pr.Amount-pr.Spend, 0)
		amount := unspent - pr.Refunded
		if amount <= 0 {
			return ev.decide(VerdictIneligible, 0, cur, RuleStoppedByPlatform,
				fmt.Sprintf("The platform stopped the promotion: %s paid − %s spent leaves %s, which the %s already refunded covers; nothing is left to refund.",
					FormatMoney(pr.Amount, cur, LangEnglish), FormatMoney(pr.Spend, cur, LangEnglish), FormatMoney(unspent, cur, LangEnglish), FormatMoney(pr.Refunded, cur, LangEnglish)),
				fmt.Sprintf("Platform menghentikan promosi: %s dibayar − %s terpakai menyisakan %s, yang sudah tercakup oleh %s yang telah dikembalikan; tidak ada sisa yang dapat dikembalikan.",
					FormatMoney(pr.Amount, cur, LangIndonesian), FormatMoney(pr.Spend, cur, LangIndonesian), FormatMoney(unspent, cur, LangIndonesian), FormatMoney(pr.Refunded, cur, LangIndonesian)))
		}
		en := fmt.Sprintf("The platform stopped the promotion: the unspent part is refunded, %s paid − %s spent = %s",
			FormatMoney(pr.Amount, cur, LangEnglish), FormatMoney(pr.Spend, cur, LangEnglish), FormatMoney(unspent, cur, LangEnglish))
		id := fmt.Sprintf("Platform menghentikan promosi: bagian yang belum terpakai dikembalikan, %s dibayar − %s terpakai = %s",
			FormatMoney(pr.Amount, cur, LangIndonesian), FormatMoney(pr.Spend, cur, LangIndonesian), FormatMoney(unspent, cur, LangIndonesian))
		en, id = lessRefunded(en, id, pr, amount, pr.Refunded > 0)
		return ev.decide(VerdictEligible, amount, cur, RuleStoppedByPlatform, en, id)
	case ReasonDuplicateCharge:
		if p.DuplicateCharge.RequireEvidence && in.EvidenceCount == 0 {
			return missingEvidence(ev, cur, "the receipts of both charges", "bukti pembayaran (struk) untuk kedua tagihan")
		}
		if p.DuplicateCharge.RequireEvidence {
			passEvidence(ev, in.EvidenceCount)
		}
		if twin, gap, ok := p.findTwin(pr, in.Twins); ok {
			amount := pr.Remaining()
			return ev.decide(VerdictEligible, amount, cur, RuleDuplicateCharge,
				fmt.Sprintf("Order %s is a twin of this one (same account, video and amount, created %s apart): refund of %s.", twin.OrderNumber, humanGap(gap, LangEnglish), FormatMoney(amount, cur, LangEnglish)),
				fmt.Sprintf("Pesanan %s adalah kembaran pesanan ini (akun, video dan jumlah yang sama, dibuat dengan selisih %s): pengembalian sebesar %s.", twin.OrderNumber, humanGap(gap, LangIndonesian), FormatMoney(amount, cur, LangIndonesian)))
		}
		w := p.DuplicateCharge.Window.Duration
		return ev.decide(VerdictNeedsReview, 0, cur, RuleDuplicateCharge,
			fmt.Sprintf("No twin order (same account, video and amount within %s) is on record; an agent will review the receipts.", humanGap(w, LangEnglish)),
			fmt.Sprintf("Tidak ada pesanan kembaran (akun, video dan jumlah yang sama dalam %s) di catatan kami; agen kami akan meninjau bukti pembayaran Anda.", humanGap(w, LangIndonesian)))
	}
	// other, and any reason the policy has no rule for.
	return ev.decide(VerdictNeedsReview, 0, cur, RuleOther,
		"This reason has no automatic rule; an agent will review the request.",
		"Alasan ini tidak memiliki aturan otomatis; agen kami akan meninjau permintaan Anda.")
}

func (p *Policy) underDelivery(ev *evaluation, in EvalInput, pr *Promotion) Eligibility {
	cur := pr.Currency
	if pr.Status == PromoRunning {
		return ev.decide(VerdictNeedsReview, 0, cur, RulePromotionFinished,
			"The promotion is still running, so its final reach is not known yet; an agent will review.",
			"Promosi masih berjalan sehingga jangkauan akhirnya belum diketahui; agen kami akan meninjaunya.")
	}
	ev.pass(RulePromotionFinished, "The promotion is no longer running.", "Promosi sudah tidak berjalan.")
	if p.UnderDelivery.RequireEvidence && in.EvidenceCount == 0 {
		return missingEvidence(ev, cur, "a screenshot of the promotion's results", "tangkapan layar hasil promosi")
	}
	if p.UnderDelivery.RequireEvidence {
		passEvidence(ev, in.EvidenceCount)
	}
	promised, delivered := pr.PromisedReach, pr.DeliveredReach
	if promised <= 0 {
		return ev.decide(VerdictNeedsReview, 0, cur, RuleUnderDelivery,
			"The record has no promised reach to compare the delivery with; an agent will review.",
			"Catatan kami tidak memuat perkiraan jangkauan untuk dibandingkan; agen kami akan meninjaunya.")
	}
	t := p.UnderDelivery.ThresholdPercent
	pct := percent(delivered, promised)
	// delivered < t% × promised, in exact integers.
	lhs := new(big.Int).Mul(big.NewInt(delivered), big.NewInt(100))
	rhs := new(big.Int).Mul(big.NewInt(t), big.NewInt(promised))
	if lhs.Cmp(rhs) >= 0 {
		return ev.decide(VerdictIneligible, 0, cur, RuleUnderDelivery,
			fmt.Sprintf("Delivered %s of the %s promised (%s), not below the %d%% minimum.", FormatCount(delivered, LangEnglish), FormatCount(promised, LangEnglish), pct, t),
			fmt.Sprintf("Jangkauan yang tercapai %s dari %s yang dijanjikan (%s), tidak di bawah batas minimum %d%%.", FormatCount(delivered, LangIndonesian), FormatCount(promised, LangIndonesian), strings.ReplaceAll(pct, ".", ","), t))
	}
	short := max(promised-delivered, 0)
	share := new(big.Int).Mul(big.NewInt(pr.Amount), big.NewInt(short))
	share.Quo(share, big.NewInt(promised)) // floor: both are non-negative
	shortfall := share.Int64()
	amount := shortfall - pr.Refunded // what was refunded already counts against the shortfall
	missing := percent(short, promised)
	en := fmt.Sprintf("Delivered %s of the %s promised (%s), below the %d%% minimum: the missing %s of %s is refunded, %s",
		FormatCount(delivered, LangEnglish), FormatCount(promised, LangEnglish), pct, t, missing,
		FormatMoney(pr.Amount, cur, LangEnglish), FormatMoney(shortfall, cur, LangEnglish))
	id := fmt.Sprintf("Jangkauan yang tercapai %s dari %s yang dijanjikan (%s), di bawah batas minimum %d%%: bagian yang tidak tercapai (%s) dari %s dikembalikan, %s",
		FormatCount(delivered, LangIndonesian), FormatCount(promised, LangIndonesian), strings.ReplaceAll(pct, ".", ","), t, strings.ReplaceAll(missing, ".", ","),
		FormatMoney(pr.Amount, cur, LangIndonesian), FormatMoney(shortfall, cur, LangIndonesian))
	if amount <= 0 {
		return ev.decide(VerdictIneligible, 0, cur, RuleUnderDelivery,
			en+", which the "+FormatMoney(pr.Refunded, cur, LangEnglish)+" already refunded covers.",
			id+", yang sudah tercakup oleh "+FormatMoney(pr.Refunded, cur, LangIndonesian)+" yang telah dikembalikan.")
	}
	en, id = lessRefunded(en, id, pr, amount, pr.Refunded > 0)
	return ev.decide(VerdictEligible, amount, cur, RuleUnderDelivery, en, id)
}

// lessRefunded ends a sentence about an amount, saying what was subtracted
// for earlier refunds when anything was.
func lessRefunded(en, id string, pr *Promotion, amount int64, reduced bool) (string, string) {
	cur := pr.Currency
	if !reduced {
		return en + ".", id + "."
	}
	return en + ", less " + FormatMoney(pr.Refunded, cur, LangEnglish) + " already refunded = " + FormatMoney(amount, cur, LangEnglish) + ".",
		id + ", dikurangi " + FormatMoney(pr.Refunded, cur, LangIndonesian) + " yang sudah dikembalikan = " + FormatMoney(amount, cur, LangIndonesian) + "."
}

func (p *Policy) nonRefundable(ev *evaluation, r Reason, cur string) Eligibility {
	var en, id string
	switch r {
	case ReasonClosedEarly:
		en, id = "Money paid for a promotion is not returned when the creator closes it early.",
			"Dana yang dibayarkan untuk promosi tidak dikembalikan jika pembuat konten menghentikannya lebih awal."
	case ReasonWrongVideo:
		en, id = "Money paid for a promotion is not returned when the wrong video was boosted.",
			"Dana yang dibayarkan untuk promosi tidak dikembalikan jika video yang dipromosikan salah."
	case ReasonChangedMind:
		en, id = "Money paid for a promotion is not returned when the creator changes their mind.",
			"Dana yang dibayarkan untuk promosi tidak dikembalikan jika pembuat konten berubah pikiran."
	default:
		en, id = "The policy does not refund promotions for this reason.",
			"Kebijakan kami tidak mengembalikan dana promosi untuk alasan ini."
	}
	return ev.decide(VerdictIneligible, 0, cur, RuleNonRefundable, en+" "+ClosePromotionHowTo(LangEnglish), id+" "+ClosePromotionHowTo(LangIndonesian))
}

// ClosePromotionHowTo explains how a creator stops a running promotion.
func ClosePromotionHowTo(lang string) string {
	if lang == LangIndonesian {
		return "Untuk menghentikan promosi yang sedang berjalan: Kotak Masuk → Notifikasi sistem → pemberitahuan persetujuan promosi → Lihat selengkapnya → ⋯ → Tutup Promosi."
	}
	return "To stop a running promotion: Inbox → System notifications → the promotion's approval notice → View more → ⋯ → Close Promotion."
}

func missingEvidence(ev *evaluation, cur, what, whatID string) Eligibility {
	return ev.decide(VerdictNeedsInfo, 0, cur, RuleEvidence,
		"Evidence is needed for this reason: "+what+".",
		"Bukti diperlukan untuk alasan ini: "+whatID+".")
}

func passEvidence(ev *evaluation, n int) {
	ev.pass(RuleEvidence, fmt.Sprintf("%d evidence file(s) attached.", n), fmt.Sprintf("%d file bukti terlampir.", n))
}

// findTwin looks for another order of the same account, video and amount
// created within the policy's window of pr, the closest first.
func (p *Policy) findTwin(pr *Promotion, candidates []Promotion) (Promotion, time.Duration, bool) {
	var best Promotion
	bestGap := time.Duration(-1)
	for _, c := range candidates {
		if c.OrderNumber == pr.OrderNumber || c.VideoID == "" || c.VideoID != pr.VideoID ||
			c.Amount != pr.Amount || !strings.EqualFold(c.Currency, pr.Currency) ||
			AccountKey(c.Account) != AccountKey(pr.Account) {
			continue
		}
		gap := c.CreatedAt.Sub(pr.CreatedAt).Abs()
		if gap > p.DuplicateCharge.Window.Duration {
			continue
		}
		if bestGap < 0 || gap < bestGap {
			best, bestGap = c, gap
		}
	}
	return best, bestGap, bestGap >= 0
}

func (p *Policy) evaluateRevocation(ev *evaluation, in EvalInput) Eligibility {
	if in.Account == "" {
		return ev.decide(VerdictNeedsInfo, 0, "", RuleAccountGiven,
			"No account name was given; it is needed to find the authorization.",
			"Nama akun belum diberikan; nama ini diperlukan untuk menemukan izin promosi Anda.")
	}
	ev.pass(RuleAccountGiven, "Account "+in.Account+" was given.", "Akun "+in.Account+" sudah diberikan.")
	key := AccountKey(in.Account)
	var revoked *Authorization
	for i := range in.Authorizations {
		a := &in.Authorizations[i]
		if AccountKey(a.Account) != key {
			continue
		}
		if a.Active() {
			return ev.decide(VerdictEligible, 0, "", RuleAuthorizationActive,
				fmt.Sprintf("%s has an active authorization (%s, granted %s): the revocation is forwarded to the platform, which takes a few days.", in.Account, a.Scope, FormatDate(a.GrantedAt, LangEnglish)),
				fmt.Sprintf("%s memiliki izin promosi yang aktif (%s, diberikan %s): permintaan pencabutan diteruskan ke platform dan memerlukan beberapa hari.", in.Account, a.Scope, FormatDate(a.GrantedAt, LangIndonesian)))
		}
		revoked = a
	}
	if revoked != nil {
		return ev.decide(VerdictNeedsReview, 0, "", RuleAuthorizationActive,
			fmt.Sprintf("The authorization of %s on record was already revoked on %s; an agent will review.", in.Account, FormatDate(*revoked.RevokedAt, LangEnglish)),
			fmt.Sprintf("Izin promosi %s di catatan kami sudah dicabut pada %s; agen kami akan meninjaunya.", in.Account, FormatDate(*revoked.RevokedAt, LangIndonesian)))
	}
	return ev.decide(VerdictNeedsReview, 0, "", RuleAuthorizationActive,
		"No authorization of "+in.Account+" is on record; an agent will review.",
		"Tidak ada izin promosi untuk "+in.Account+" di catatan kami; agen kami akan meninjaunya.")
}

func promoStatusText(s PromotionStatus, lang string) string {
	en := map[PromotionStatus]string{PromoInReview: "in review", PromoRejected: "rejected", PromoRunning: "running",
		PromoClosed: "closed early by the creator", PromoCompleted: "completed", PromoStoppedByPlatform: "stopped by the platform"}
	id := map[PromotionStatus]string{PromoInReview: "sedang ditinjau", PromoRejected: "ditolak", PromoRunning: "sedang berjalan",
		PromoClosed: "dihentikan lebih awal oleh pembuat konten", PromoCompleted: "selesai", PromoStoppedByPlatform: "dihentikan oleh platform"}
	m := en
	if lang == LangIndonesian {
		m = id
	}
	if s, ok := m[s]; ok {
		return s
	}
	return string(s)
}

// percent writes part/whole as a percentage with at most one decimal.
func percent(part, whole int64) string {
	if whole == 0 {
		return "0%"
	}
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(part), big.NewInt(100)), big.NewInt(whole))
	s := r.FloatString(1)
	s = strings.TrimSuffix(s, ".0")
	return s + "%"
}

// humanGap writes a short duration in words.
func humanGap(d time.Duration, lang string) string {
	type unit struct {
		d      time.Duration
		en, id string
	}
	units := []unit{{24 * time.Hour, "day", "hari"}, {time.Hour, "hour", "jam"}, {time.Minute, "minute", "menit"}, {time.Second, "second", "detik"}}
	for _, u := range units {
		if d >= u.d {
			n := int64(d / u.d)
			if lang == LangIndonesian {
				return fmt.Sprintf("%d %s", n, u.id)
			}
			if n == 1 {
				return "1 " + u.en
			}
			return fmt.Sprintf("%d %ss", n, u.en)
		}
	}
	if lang == LangIndonesian {
		return "kurang dari 1 detik"
	}
	return "under a second"
}
