package tickets

import (
	"strings"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Common words that tell Indonesian from English in a short request.
var (
	indonesianWords = wordSet(`saya aku kami kita anda kamu gue gua gw lo lu dia mereka yang dan tidak tak belum sudah
		telah untuk dengan dari ini itu ada mohon tolong bantu bantuan dana uang kembali
		pengembalian promosi pesanan nomor akun tapi tetapi namun karena jadi bisa
		apakah kenapa mengapa bagaimana sampai juga atau pada di ke sebesar terima kasih makasih
		gan kak kakak min sis bang mas mbak dong ya nggak gak ga gk enggak engga udah udh sdh blm tdk yg dgn utk krn
		dibayar bayar membayar jangkauan penonton iklan dihentikan ditolak berhenti salah
		selamat pagi siang sore malam halo mau minta ingin sama puas sesuai harapan pokoknya aja
		sih nih deh kok kan lah banget bgt buruan segera cepat lagi masih baru cuma hanya dapat dapet
		saldo koin rugi kalau kalo kalau sudahkah tersebut kemarin kmrn hari ini besok tanggal
		harga biaya tagihan terpotong kepotong tiket balas kirim dikirim lampiran bukti tangkapan layar
		hormat yth bapak ibu pak bu tim layanan pelanggan`)
	englishWords = wordSet(`i my me we our you your the a an and not no yet already to for with
		from this that there is are was were please help money back number account
		but because so can could would why how until also or on in at of thanks thank hello
		dear paid pay reach views ad ads stopped rejected wrong promotion charged twice
		it its it's i'm i've don't didn't doesn't have has had be been will just only still get got`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// detectedLanguages are the languages DetectLanguage tells apart.
var detectedLanguages = []string{LangEnglish, LangIndonesian}

// DetectLanguage guesses whether a request is in Indonesian or English from
// its common words; English when it cannot tell.
func DetectLanguage(text string) string {
	var id, en int
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '-'
	}) {
		if indonesianWords[w] || len(w) > 5 && strings.HasSuffix(w, "nya") {
			id++ // "promosinya", "videonya": the -nya suffix is Indonesian
		}
		if englishWords[w] {
			en++
		}
	}
	if id > en {
		return LangIndonesian
	}
	return LangEnglish
}

// MatchLanguage finds a language tag among known, the languages the
// caller speaks (BCP 47 tags as it writes them, like "en", "id", "pt-BR"):
// the same tag in any case, with "_" for "-" ("PT_br"), or once canonical
// ("in" is "id"); else its base language when that is known ("id-ID",
// "en-US"). The domain lists no language of its own: what is known is the
// caller's.
func MatchLanguage(s string, known []string) (string, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if s == "" {
		return "", false
	}
	for _, k := range known {
		if strings.EqualFold(k, s) {
			return k, true
		}
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	wants := []string{tag.String()}
	if base, conf := tag.Base(); conf == language.Exact {
		wants = append(wants, base.String())
	}
	for _, want := range wants {
		for _, k := range known {
			if kt, err := language.Parse(k); err == nil && kt.String() == want {
				return k, true
			}
		}
	}
	return "", false
}

// languageNamed finds the language of known that s names, in English, in
// Indonesian or in itself ("Indonesian", "Inggris", "português"), as CLDR
// names them; a name may follow the Indonesian word for language ("Bahasa
// Indonesia", "bahasa Inggris"). "Bahasa" alone names no language.
func languageNamed(s string, known []string) (string, bool) {
	s = strings.TrimSpace(s)
	if word, rest, ok := strings.Cut(s, " "); ok && strings.EqualFold(word, "bahasa") {
		s = strings.TrimSpace(rest)
	}
	for _, k := range known {
		if kt, err := language.Parse(k); err == nil && s != "" &&
			(strings.EqualFold(display.English.Tags().Name(kt), s) || strings.EqualFold(display.Self.Name(kt), s) ||
				strings.EqualFold(display.Tags(language.Indonesian).Name(kt), s)) {
			return k, true
		}
	}
	return "", false
}
