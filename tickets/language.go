package tickets

import (
	"strings"
	"unicode"
)

// Common words that tell Indonesian from English in a short request.
var (
	indonesianWords = wordSet(`saya aku kami anda kamu yang dan tidak tak belum sudah
		sudah telah untuk dengan dari ini itu ada mohon tolong bantu bantuan dana uang kembali
		pengembalian refund-nya promosi pesanan nomor akun tapi tetapi karena jadi bisa
		apakah kenapa mengapa bagaimana sampai juga atau pada di ke sebesar terima kasih
		gan kak min admin dong ya nggak gak enggak udah sdh blm tdk yg dgn utk krn
		dibayar bayar membayar jangkauan penonton video iklan dihentikan ditolak berhenti salah
		selamat pagi siang sore malam halo hai`)
	englishWords = wordSet(`i my me we our you your the a an and not no yet already to for with
		from this that there is are was were please help money back refund order number account
		but because so can could would why how until also or on in at of thanks thank hello hi
		dear paid pay reach views video ad ads stopped rejected wrong promotion charged twice`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// DetectLanguage guesses whether a request is in Indonesian or English from
// its common words; English when it cannot tell.
func DetectLanguage(text string) string {
	var id, en int
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '-'
	}) {
		if indonesianWords[w] {
			id++
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
