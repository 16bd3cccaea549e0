package mail_test

import (
	"context"
	"testing"

	"refunddesk/mail"
)

// What a mail asks for and why, in words the corpora do not use (issue
// 16, the kinds of heldout5's and heldout6's misses): revocations without
// the usual words, replies restating the problem in a few words, and
// reasons in people's own words; with mails that must not read so.
func TestReadingIntentProbes(t *testing.T) {
	cases := []struct {
		name, subject, body string
		reply               bool
		kind, reason        string // kind "" when the mail states none
	}{
		// Revocations without "revoke" or "authorization".
		{name: "jangan ditampilkan sebagai iklan", subject: "video masak",
			body: "Tolong video tutorial masak saya jangan ditampilkan lagi sebagai iklan ya. Uangnya tidak usah dikembalikan.", kind: "revocation"},
		{name: "gak mau lagi dipake buat iklan", subject: "klip dance",
			body: "Aku udah gak mau lagi klip dance aku dipake buat iklan, makasih.", kind: "revocation"},
		{name: "Javanese ojo dipasang dadi iklan", subject: "video",
			body: "Videoku ojo dipasang maneh dadi iklan yo, suwun.", kind: "revocation"},
		{name: "make sure not shown as ads", subject: "my clips",
			body: "Please make sure my clips are not shown as ads anymore. Thanks.", kind: "revocation"},
		{name: "stop running it for advertising", subject: "that reel",
			body: "From now on I'd like you to stop running that reel for advertising.", kind: "revocation"},
		{name: "already refunded, withdrawing our permission", subject: "our video",
			body: "We have already been refunded for the order. Now we are withdrawing our permission for the video to be used in ads.", kind: "revocation"},
		{name: "CS said no refund, fine, no paid ad", subject: "video",
			body: "The agent told me no refund is possible. Fine. Just don't use my video as a paid ad again.", kind: "revocation"},
		{name: "kata CS tidak bisa direfund, ya sudah", subject: "video kopi",
			body: "Kata CS promosi yang sudah selesai tidak bisa direfund. Ya sudah, tidak apa-apa.\nTapi video saya jangan dipakai lagi buat promosi berbayar.", kind: "revocation"},
		{name: "money left kept, consent withdrawn", subject: "my video",
			body: "I am withdrawing my consent for my video to be used in paid promotion. Whatever money is left, you can keep it.", kind: "revocation"},
		{name: "the right to keep doubted", subject: "permission",
			body: "I don't see why you should keep the right to use my clip. I'm withdrawing that permission.", kind: "revocation"},
		{name: "jgn dijadiin iklan", subject: "video",
			body: "kak video aku jgn dijadiin iklan lagi ya, makasih", kind: "revocation"},
		{name: "don't feature my clip in adverts", subject: "my clip",
			body: "Please don't feature my clip in any adverts from now on.", kind: "revocation"},
		{name: "don't want my reel used for ads", subject: "reel",
			body: "I don't want my reel used for ads anymore, cheers.", kind: "revocation"},
		// Must not read as revocations: complaints about an ad not shown.
		{name: "not shown as an ad: a refund", subject: "promosi",
			body: "Kenapa video saya tidak muncul sebagai iklan? Sudah bayar tapi tidak jalan, tolong refund.", kind: "refund", reason: "technical_error"},
		{name: "please check why not shown", subject: "boost",
			body: "Please check why my video is not shown as an ad, I paid for it. Refund please.", kind: "refund"},
		{name: "don't worry about the video", subject: "refund",
			body: "Don't worry about the video, just refund the money please.", kind: "refund"},
		{name: "a refund with the authorization kept", subject: "refund",
			body: "Please refund the rest of the budget. My authorization can stay as it is.", kind: "refund"},

		// Replies restating the problem in a few words.
		{name: "reply: another video, not the chosen one", reply: true,
			body: "Yang tayang malah video lain, bukan yang saya pilih.", kind: "refund", reason: "wrong_video"},
		{name: "reply: never approved", reply: true,
			body: "It was never approved and the money is still missing.", kind: "refund", reason: "rejected"},
		{name: "reply: views out of the estimate", reply: true,
			body: "Got about 900 views out of the 10k you estimated.", kind: "refund", reason: "under_delivery"},
		{name: "reply: still shows pending", reply: true,
			body: "Still shows 'Pending' after a week.", kind: "refund", reason: "technical_error"},
		{name: "reply: thanks only", reply: true, body: "Thanks, I'll wait for your answer."},

		// Reasons in people's words.
		{name: "paused from my side", subject: "refund",
			body: "I paused the boost from my side after two days because we sold out. Please refund what's left.", kind: "refund", reason: "closed_early"},
		{name: "we switched it off", subject: "refund",
			body: "We switched the ad off on Sunday, the shop is closed for repairs. Can the rest come back?", kind: "refund", reason: "closed_early"},
		{name: "potong 2x", subject: "saldo",
			body: "saldo ke potong 2x buat satu promosi, tolong balikin satu.", kind: "refund", reason: "duplicate_charge"},
		{name: "not charged twice", subject: "harga",
			body: "Ini bukan kepotong dua kali, tapi harga yang ditampilkan beda sama yang ditagih. Tolong refund selisihnya.", kind: "refund", reason: "other"},
		{name: "client called off the event", subject: "cancel",
			body: "Our client called off the event, so the promotion is useless now. Please cancel it and refund us.", kind: "refund", reason: "changed_mind"},
		{name: "acara batal, tidak ada gunanya", subject: "batal",
			body: "Acaranya batal, jadi promosinya sudah tidak ada gunanya. Mohon dananya dikembalikan.", kind: "refund", reason: "changed_mind"},
		{name: "ran at night", subject: "refund",
			body: "The ad ran between 2 and 5 am, when nobody is awake. I want my money back.", kind: "refund", reason: "other"},
		{name: "telat tayang", subject: "promosi",
			body: "Iklannya telat tayang 3 hari, promo toko sudah selesai. Minta refund.", kind: "refund", reason: "other"},
		{name: "nobody here ordered it", subject: "charge",
			body: "Someone set up a promotion on our account; nobody here ordered it. Please refund.", kind: "refund", reason: "other"},
		{name: "wrong age group", subject: "refund",
			body: "It was shown to the wrong age group entirely. I'd like a refund.", kind: "refund", reason: "other"},
		{name: "views mentok", subject: "promosi",
			body: "views nya mentok di 300an aja kak, refund dong", kind: "refund", reason: "under_delivery"},
		{name: "said 10k views", subject: "refund",
			body: "They said 10k views, we got 1.2k. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "finished at a figure", subject: "refund",
			body: "It finished at 1,100 views. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "finished on a date is no figure", subject: "refund",
			body: "It finished on 12 December as planned. Refund the unused budget please.", kind: "refund"},
		{name: "menunggu pembayaran", subject: "promosi",
			body: "Statusnya masih tertulis 'menunggu pembayaran' padahal saldo sudah kepotong. Tolong dikembalikan.", kind: "refund", reason: "technical_error"},
		{name: "payment failed but money gone", subject: "refund",
			body: "The payment failed but the money left my account. Please refund it.", kind: "refund", reason: "technical_error"},
		{name: "halaman promosi kosong", subject: "promosi",
			body: "Saldo sudah terpotong tapi halaman promosi kosong. Tolong dibalikin.", kind: "refund", reason: "technical_error"},
		{name: "pulled after hours", subject: "refund",
			body: "The promotion was pulled after six hours. Refund please.", kind: "refund", reason: "stopped_by_platform"},
		{name: "distop sama tiktok", subject: "promosi",
			body: "Promosi aku distop sama tiktok padahal baru jalan. Minta refund.", kind: "refund", reason: "stopped_by_platform"},
		{name: "wasn't approved", subject: "refund",
			body: "My boost wasn't approved. Refund please.", kind: "refund", reason: "rejected"},
		{name: "stopped on my end", subject: "refund",
			body: "I stopped it on my end after a day, we ran out of stock. Refund the rest please.", kind: "refund", reason: "closed_early"},
		{name: "decided not to run ads", subject: "cancel",
			body: "We decided not to run ads this month, please cancel and refund.", kind: "refund", reason: "changed_mind"},
		{name: "baru mulai setelah acara", subject: "promosi",
			body: "Iklannya baru mulai setelah acaranya lewat, jadi percuma. Minta refund.", kind: "refund", reason: "other"},
		{name: "ran at 2am", subject: "refund",
			body: "It ran at 2am when my customers are asleep. Refund please.", kind: "refund", reason: "other"},
		{name: "awaiting payment", subject: "refund",
			body: "The card was charged but the promotion is stuck on awaiting payment. Refund please.", kind: "refund", reason: "technical_error"},
		{name: "not a billing error", subject: "refund",
			body: "It's not a billing error, the views were just far below the estimate. Refund please.", kind: "refund", reason: "under_delivery"},

		// heldout7's kinds, in other words.
		{name: "persetujuannya aku tarik", subject: "video",
			body: "Persetujuan yang dulu itu persetujuannya aku tarik ya min, kontraknya sudah habis.", kind: "revocation"},
		{name: "consent withdrawn, not money", subject: "my clip",
			body: "I don't want any money. Consent withdrawn as of today for the skincare brand.", kind: "revocation"},
		{name: "so the brand can't run it", subject: "my video",
			body: "Could you sort it so the brand can't run my dance clip any more? We stopped working together.", kind: "revocation"},
		{name: "biar brand gak bisa pakai lagi", subject: "video",
			body: "Tolong diurus biar brand itu gak bisa pakai video masak aku lagi.", kind: "revocation"},
		{name: "not happy with them still running it", subject: "ad",
			body: "Not happy with them still running my tutorial, the deal ended in June. Please end it.", kind: "revocation"},
		{name: "rather revoke than refund", subject: "Re: your ticket", reply: true,
			body: "On reflection I'd rather revoke the authorization than refund anything.", kind: "revocation"},
		{name: "one of them back", subject: "receipt",
			body: "Bank says it posted twice, same amount. Need one of them back.", kind: "refund", reason: "duplicate_charge"},
		{name: "ketagih lagi order yang sama", subject: "tagihan",
			body: "Saya ketagih lagi untuk order yang sama, tolong dibalikin satu.", kind: "refund", reason: "duplicate_charge"},
		// Must not read so: "so they can't" about the money, a double-check.
		{name: "double-checked is no double charge", subject: "refund",
			body: "I double-checked the settings, but it got only 300 views out of the 5k estimated. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "don't forget my refund", subject: "refund",
			body: "Please don't forget about my refund, the ad was rejected a week ago.", kind: "refund", reason: "rejected"},
		{name: "the permission screen, a refund", subject: "refund",
			body: "The app asked for permission to use my camera, then the promotion never started. Refund please.", kind: "refund", reason: "technical_error"},

		// heldout7's reasons, in other words.
		{name: "g lolos moderasi", subject: "promosi",
			body: "iklanku g lolos moderasi kak, saldonya balikin ya", kind: "refund", reason: "rejected"},
		{name: "didn't get through review", subject: "boost",
			body: "My boost didn't get through review. Can I have the coins back?", kind: "refund", reason: "rejected"},
		{name: "review gagal", subject: "promosi",
			body: "Review-nya gagal terus, uangnya dikembalikan aja.", kind: "refund", reason: "rejected"},
		{name: "copyright claim stopped it", subject: "stopped",
			body: "The promotion was stopped over a copyright claim on the song. Refund the rest please.", kind: "refund", reason: "stopped_by_platform"},
		{name: "why was my boost paused", subject: "boost",
			body: "Why was my boost paused halfway? Please send back what wasn't spent.", kind: "refund", reason: "stopped_by_platform"},
		{name: "knp iklan aku distop", subject: "iklan",
			body: "knp iklan aku distop ya kak? sisa saldonya balikin dong", kind: "refund", reason: "stopped_by_platform"},
		{name: "mati sendiri", subject: "promosi",
			body: "Promosinya mati sendiri di hari ketiga, saya gak ngapa-ngapain. Sisa saldo bisa balik?", kind: "refund", reason: "stopped_by_platform"},
		{name: "stopped on its own", subject: "boost",
			body: "The boost stopped on its own after a day. I'd like the rest refunded.", kind: "refund", reason: "stopped_by_platform"},
		{name: "yang tayang sebagai iklan malah video lama", subject: "salah video",
			body: "Yang tayang sebagai iklan malah video lama saya, tolong refund.", kind: "refund", reason: "wrong_video"},
		{name: "they used my older reel", subject: "wrong one",
			body: "They used my older unboxing reel, not the one I paid for. Refund please.", kind: "refund", reason: "wrong_video"},
		{name: "not the one we picked", subject: "boost",
			body: "What went out was not the new one we picked. Refund please.", kind: "refund", reason: "wrong_video"},
		{name: "no point spending now", subject: "cancel",
			body: "Shop is closing next month, no point spending on ads now. Cancel and refund pls.", kind: "refund", reason: "changed_mind"},
		{name: "salah pencet beli promosi", subject: "promosi",
			body: "Aku salah pencet beli promosi kak, belum mau pasang iklan. Bisa dibalikin?", kind: "refund", reason: "changed_mind"},
		{name: "accidentally bought a boost", subject: "refund",
			body: "I accidentally bought a boost while browsing prices. Please refund it.", kind: "refund", reason: "changed_mind"},
		{name: "viewers from another city than the target", subject: "promosi",
			body: "Targetnya sudah saya atur kota Makassar. Views memang banyak, tapi penontonnya hampir semua dari Jakarta. Minta refund.", kind: "refund", reason: "other"},
		// Must not read so: few views with no place, an accident that
		// ended it, a duplicate paid by accident.
		{name: "only few views, no place", subject: "refund",
			body: "We targeted the whole country but the views came in at only 800. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "accidentally paid twice", subject: "refund",
			body: "I accidentally paid twice for the same boost. Refund one please.", kind: "refund", reason: "duplicate_charge"},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			subject, extra := c.subject, ""
			if c.reply {
				subject, extra = "Re: Your request", "In-Reply-To: <rd.41.1@refunddesk.example>\r\n"
			}
			raw := "From: Sari <sari@example.com>\r\nTo: support@refunddesk.example\r\nSubject: " + subject +
				"\r\nMessage-ID: <probe@example.com>\r\nDate: Fri, 4 Dec 2026 03:00:00 +0000\r\n" + extra +
				"Content-Type: text/plain; charset=utf-8\r\n\r\n" + c.body + "\r\n"
			m, err := mail.Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			got := mail.Understand(ctx, m, nil, "refunddesk.example")
			kind := ""
			if got.KindStated {
				kind = string(got.Kind)
			}
			if kind != c.kind || string(got.Reason) != c.reason {
				t.Errorf("kind %q reason %q, want %q %q\n%s", kind, got.Reason, c.kind, c.reason, c.body)
			}
		})
	}
}
