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

		// Each reason (and the revocation) in more words than the corpora use;
		// the last ones must not read as what their words brush against.
		{name: "Iklan saya gak disetujui sama tiktok, minta refu", subject: "promosi",
			body: "Iklan saya gak disetujui sama tiktok, minta refund.", kind: "refund", reason: "rejected"},
		{name: "Promosinya ditolak sistem, tolong balikin koinny", subject: "promosi",
			body: "Promosinya ditolak sistem, tolong balikin koinnya.", kind: "refund", reason: "rejected"},
		{name: "My ad got knocked back in review, I'd like my mo", subject: "promosi",
			body: "My ad got knocked back in review, I'd like my money back.", kind: "refund", reason: "rejected"},
		{name: "The boost was refused by moderation. Refund plea", subject: "promosi",
			body: "The boost was refused by moderation. Refund please.", kind: "refund", reason: "rejected"},
		{name: "Status promosinya \"Tidak disetujui\", tolong refu", subject: "promosi",
			body: "Status promosinya \"Tidak disetujui\", tolong refund.", kind: "refund", reason: "rejected"},
		{name: "Moderation said no to my ad, can I get a refund?", subject: "promosi",
			body: "Moderation said no to my ad, can I get a refund?", kind: "refund", reason: "rejected"},
		{name: "iklan aku gagal review kak, refund ya", subject: "promosi",
			body: "iklan aku gagal review kak, refund ya", kind: "refund", reason: "rejected"},
		{name: "Promosi saya diputus sama tiktok di tengah jalan", subject: "promosi",
			body: "Promosi saya diputus sama tiktok di tengah jalan, minta sisa saldo dikembalikan.", kind: "refund", reason: "stopped_by_platform"},
		{name: "TikTok shut my ad off after one day, refund the", subject: "promosi",
			body: "TikTok shut my ad off after one day, refund the rest please.", kind: "refund", reason: "stopped_by_platform"},
		{name: "My promotion got flagged and stopped. Refund the", subject: "promosi",
			body: "My promotion got flagged and stopped. Refund the unused part.", kind: "refund", reason: "stopped_by_platform"},
		{name: "Promosi saya kena flag terus berhenti, refund si", subject: "promosi",
			body: "Promosi saya kena flag terus berhenti, refund sisanya ya.", kind: "refund", reason: "stopped_by_platform"},
		{name: "Iklanku diberhentiin tiktok kak, sisanya balikin", subject: "promosi",
			body: "Iklanku diberhentiin tiktok kak, sisanya balikin dong.", kind: "refund", reason: "stopped_by_platform"},
		{name: "The ad was halted for a policy reason, please re", subject: "promosi",
			body: "The ad was halted for a policy reason, please refund what's left.", kind: "refund", reason: "stopped_by_platform"},
		{name: "The ad used a different video from the one I sel", subject: "promosi",
			body: "The ad used a different video from the one I selected. Refund please.", kind: "refund", reason: "wrong_video"},
		{name: "Video yang diiklankan bukan yang saya pilih, min", subject: "promosi",
			body: "Video yang diiklankan bukan yang saya pilih, minta refund.", kind: "refund", reason: "wrong_video"},
		{name: "Kok yang dipromosiin video lain sih, minta uang", subject: "promosi",
			body: "Kok yang dipromosiin video lain sih, minta uang balik.", kind: "refund", reason: "wrong_video"},
		{name: "It boosted the wrong post. Refund please", subject: "promosi",
			body: "It boosted the wrong post. Refund please.", kind: "refund", reason: "wrong_video"},
		{name: "The promoted clip isn't the one I chose. Refund", subject: "promosi",
			body: "The promoted clip isn't the one I chose. Refund.", kind: "refund", reason: "wrong_video"},
		{name: "I was billed two times for one promotion, please", subject: "promosi",
			body: "I was billed two times for one promotion, please refund one.", kind: "refund", reason: "duplicate_charge"},
		{name: "Saldo kepotong dua kali buat satu iklan, tolong", subject: "promosi",
			body: "Saldo kepotong dua kali buat satu iklan, tolong balikin satu.", kind: "refund", reason: "duplicate_charge"},
		{name: "There are two identical charges on my card for t", subject: "promosi",
			body: "There are two identical charges on my card for this order. Refund one.", kind: "refund", reason: "duplicate_charge"},
		{name: "Kena charge double kak, refund satu ya", subject: "promosi",
			body: "Kena charge double kak, refund satu ya.", kind: "refund", reason: "duplicate_charge"},
		{name: "The same payment was taken twice from my account", subject: "promosi",
			body: "The same payment was taken twice from my account. Refund please.", kind: "refund", reason: "duplicate_charge"},
		{name: "Uangku kepotong 2 kali padahal cuma beli sekali", subject: "promosi",
			body: "Uangku kepotong 2 kali padahal cuma beli sekali.", kind: "refund", reason: "duplicate_charge"},
		{name: "I ended the promotion early because we sold out", subject: "promosi",
			body: "I ended the promotion early because we sold out, refund the rest please.", kind: "refund", reason: "closed_early"},
		{name: "Saya stop promosinya lebih awal karena stok habi", subject: "promosi",
			body: "Saya stop promosinya lebih awal karena stok habis, sisa saldo tolong dikembalikan.", kind: "refund", reason: "closed_early"},
		{name: "Aku udahin iklannya kemarin, sisanya balikin ya", subject: "promosi",
			body: "Aku udahin iklannya kemarin, sisanya balikin ya.", kind: "refund", reason: "closed_early"},
		{name: "I cut the boost short after two days. Refund wha", subject: "promosi",
			body: "I cut the boost short after two days. Refund what's left.", kind: "refund", reason: "closed_early"},
		{name: "Maaf saya berubah pikiran, mau batal promosi, mi", subject: "promosi",
			body: "Maaf saya berubah pikiran, mau batal promosi, minta refund.", kind: "refund", reason: "changed_mind"},
		{name: "I no longer want this promotion, please cancel a", subject: "promosi",
			body: "I no longer want this promotion, please cancel and refund.", kind: "refund", reason: "changed_mind"},
		{name: "Ga jadi promosi kak, uangnya balikin ya", subject: "promosi",
			body: "Ga jadi promosi kak, uangnya balikin ya.", kind: "refund", reason: "changed_mind"},
		{name: "I've had second thoughts about the boost, please", subject: "promosi",
			body: "I've had second thoughts about the boost, please refund.", kind: "refund", reason: "changed_mind"},
		{name: "Saya urungkan niat promosi, tolong refund", subject: "promosi",
			body: "Saya urungkan niat promosi, tolong refund.", kind: "refund", reason: "changed_mind"},
		{name: "We've decided to hold off on advertising, please", subject: "promosi",
			body: "We've decided to hold off on advertising, please refund the promotion.", kind: "refund", reason: "changed_mind"},
		{name: "Please cancel, we don't need the promotion after", subject: "promosi",
			body: "Please cancel, we don't need the promotion after all.", kind: "refund", reason: "changed_mind"},
		{name: "The promotion got stuck loading and never launch", subject: "promosi",
			body: "The promotion got stuck loading and never launched. Refund.", kind: "refund", reason: "technical_error"},
		{name: "Aplikasinya error pas bayar, promosinya gak munc", subject: "promosi",
			body: "Aplikasinya error pas bayar, promosinya gak muncul, refund ya.", kind: "refund", reason: "technical_error"},
		{name: "My ad never got any views, zero impressions. Ref", subject: "promosi",
			body: "My ad never got any views, zero impressions. Refund.", kind: "refund", reason: "technical_error"},
		{name: "Paid but the promotion doesn't appear anywhere i", subject: "promosi",
			body: "Paid but the promotion doesn't appear anywhere in my account. Refund please.", kind: "refund", reason: "technical_error"},
		{name: "Promosinya gak ada di daftar padahal saldo udah", subject: "promosi",
			body: "Promosinya gak ada di daftar padahal saldo udah kepotong.", kind: "refund", reason: "technical_error"},
		{name: "We only got 400 views when 10k were estimated. R", subject: "promosi",
			body: "We only got 400 views when 10k were estimated. Refund.", kind: "refund", reason: "under_delivery"},
		{name: "Views cuma 500an padahal estimasi 10rb, minta re", subject: "promosi",
			body: "Views cuma 500an padahal estimasi 10rb, minta refund.", kind: "refund", reason: "under_delivery"},
		{name: "The reach was tiny compared to the forecast. Ref", subject: "promosi",
			body: "The reach was tiny compared to the forecast. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "Tayangannya jauh di bawah perkiraan, refund ya", subject: "promosi",
			body: "Tayangannya jauh di bawah perkiraan, refund ya.", kind: "refund", reason: "under_delivery"},
		{name: "It got a fraction of the views it projected. Ref", subject: "promosi",
			body: "It got a fraction of the views it projected. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "The promotion showed to people in Malaysia thoug", subject: "promosi",
			body: "The promotion showed to people in Malaysia though I targeted Indonesia. Refund.", kind: "refund", reason: "other"},
		{name: "Kena kurs dolar padahal saya bayar rupiah, tolon", subject: "promosi",
			body: "Kena kurs dolar padahal saya bayar rupiah, tolong refund selisihnya.", kind: "refund", reason: "other"},
		{name: "Someone on my team ordered this without asking m", subject: "promosi",
			body: "Someone on my team ordered this without asking me, refund please.", kind: "refund", reason: "other"},
		{name: "Please stop letting BrandX run my video in their", subject: "promosi",
			body: "Please stop letting BrandX run my video in their ads.", kind: "revocation", reason: ""},
		{name: "I want my video taken out of their ad campaign", subject: "promosi",
			body: "I want my video taken out of their ad campaign.", kind: "revocation", reason: ""},
		{name: "Saya gak izinin lagi video saya dipakai brand it", subject: "promosi",
			body: "Saya gak izinin lagi video saya dipakai brand itu.", kind: "revocation", reason: ""},
		{name: "Tolong hentikan penggunaan video saya oleh brand", subject: "promosi",
			body: "Tolong hentikan penggunaan video saya oleh brand tersebut.", kind: "revocation", reason: ""},
		{name: "I'd like to end the brand's access to my clip", subject: "promosi",
			body: "I'd like to end the brand's access to my clip.", kind: "revocation", reason: ""},
		{name: "Please remove the brand's rights to use my video", subject: "promosi",
			body: "Please remove the brand's rights to use my video.", kind: "revocation", reason: ""},
		{name: "Video saya jangan dipakai lagi sama mereka", subject: "promosi",
			body: "Video saya jangan dipakai lagi sama mereka.", kind: "revocation", reason: ""},
		{name: "I've changed my mind about letting them use my v", subject: "promosi",
			body: "I've changed my mind about letting them use my video in ads.", kind: "revocation", reason: ""},
		{name: "Review-nya sudah lolos, tapi views cuma 300 pada", subject: "promosi",
			body: "Review-nya sudah lolos, tapi views cuma 300 padahal estimasi 5rb. Refund ya.", kind: "refund", reason: "under_delivery"},
		{name: "I cut my video short before posting, but the pro", subject: "promosi",
			body: "I cut my video short before posting, but the promotion got only 200 views of the 8k estimated. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "They used my video without asking me. Please sto", subject: "promosi",
			body: "They used my video without asking me. Please stop using my video in their ads.", kind: "revocation", reason: ""},
		{name: "My refund doesn't appear in my account and the p", subject: "promosi",
			body: "My refund doesn't appear in my account and the promotion never started.", kind: "refund", reason: "technical_error"},
		{name: "Please put the promotion on hold permanently, ca", subject: "promosi",
			body: "Please put the promotion on hold permanently, cancel it and refund.", kind: "refund", reason: "changed_mind"},
		{name: "I'd rather not be charged twice for one boost, r", subject: "promosi",
			body: "I'd rather not be charged twice for one boost, refund one please.", kind: "refund", reason: "duplicate_charge"},

		// A second round of each reason in other words; the last four must
		// not read as the words they brush against (frozen, perlu promosi,
		// hardly ever, nothing happened).
		{name: "2: Iklannya dinyatakan tidak memenuhi syarat pas re", subject: "promosi",
			body: "Iklannya dinyatakan tidak memenuhi syarat pas review, minta refund.", kind: "refund", reason: "rejected"},
		{name: "2: They wouldn't approve my boost, so refund me ple", subject: "promosi",
			body: "They wouldn't approve my boost, so refund me please.", kind: "refund", reason: "rejected"},
		{name: "2: Promosi saya tertolak, koin belum kembali", subject: "promosi",
			body: "Promosi saya tertolak, koin belum kembali.", kind: "refund", reason: "rejected"},
		{name: "2: The ad failed moderation twice. Money back pleas", subject: "promosi",
			body: "The ad failed moderation twice. Money back please.", kind: "refund", reason: "rejected"},
		{name: "2: Promosinya gak di-approve2, balikin dana ya", subject: "promosi",
			body: "Promosinya gak di-approve2, balikin dana ya.", kind: "refund", reason: "rejected"},
		{name: "2: Iklan saya dibekukan sama tiktok, sisa dana tolo", subject: "promosi",
			body: "Iklan saya dibekukan sama tiktok, sisa dana tolong kembalikan.", kind: "refund", reason: "stopped_by_platform"},
		{name: "2: TikTok froze my promotion halfway, please refund", subject: "promosi",
			body: "TikTok froze my promotion halfway, please refund the balance.", kind: "refund", reason: "stopped_by_platform"},
		{name: "2: My ad got banned after a day. Refund the remaini", subject: "promosi",
			body: "My ad got banned after a day. Refund the remaining budget.", kind: "refund", reason: "stopped_by_platform"},
		{name: "2: Promosinya diberhentikan paksa, sisa saldo balik", subject: "promosi",
			body: "Promosinya diberhentikan paksa, sisa saldo balik ga?", kind: "refund", reason: "stopped_by_platform"},
		{name: "2: The platform cut my campaign short for a guideli", subject: "promosi",
			body: "The platform cut my campaign short for a guideline issue, refund please.", kind: "refund", reason: "stopped_by_platform"},
		{name: "2: Yang dipromosikan video yang lain, bukan yang sa", subject: "promosi",
			body: "Yang dipromosikan video yang lain, bukan yang saya mau. Minta refund.", kind: "refund", reason: "wrong_video"},
		{name: "2: The boost went on my previous upload instead of", subject: "promosi",
			body: "The boost went on my previous upload instead of the new one. Refund.", kind: "refund", reason: "wrong_video"},
		{name: "2: Kok videonya ketuker sih, yang naik malah yang l", subject: "promosi",
			body: "Kok videonya ketuker sih, yang naik malah yang lama. Refund ya.", kind: "refund", reason: "wrong_video"},
		{name: "2: It promoted a video I didn't choose. Refund plea", subject: "promosi",
			body: "It promoted a video I didn't choose. Refund please.", kind: "refund", reason: "wrong_video"},
		{name: "2: Aku kena tagih dua kali buat promosi yang sama", subject: "promosi",
			body: "Aku kena tagih dua kali buat promosi yang sama, refund satu ya.", kind: "refund", reason: "duplicate_charge"},
		{name: "2: I see the same charge twice on my statement. Ref", subject: "promosi",
			body: "I see the same charge twice on my statement. Refund one please.", kind: "refund", reason: "duplicate_charge"},
		{name: "2: The payment went through twice. Please refund th", subject: "promosi",
			body: "The payment went through twice. Please refund the duplicate.", kind: "refund", reason: "duplicate_charge"},
		{name: "2: Ada dua transaksi untuk satu pesanan, tolong ref", subject: "promosi",
			body: "Ada dua transaksi untuk satu pesanan, tolong refund salah satunya.", kind: "refund", reason: "duplicate_charge"},
		{name: "2: We stopped the ad ourselves after the stock ran", subject: "promosi",
			body: "We stopped the ad ourselves after the stock ran out, refund the rest please.", kind: "refund", reason: "closed_early"},
		{name: "2: Promosinya udah aku stop duluan, sisa koin balik", subject: "promosi",
			body: "Promosinya udah aku stop duluan, sisa koin balikin ya.", kind: "refund", reason: "closed_early"},
		{name: "2: I ended the campaign ahead of schedule. Please r", subject: "promosi",
			body: "I ended the campaign ahead of schedule. Please refund the unused budget.", kind: "refund", reason: "closed_early"},
		{name: "2: Aku mau batal aja kak, belum mulai kok. Uangnya", subject: "promosi",
			body: "Aku mau batal aja kak, belum mulai kok. Uangnya balik ya.", kind: "refund", reason: "changed_mind"},
		{name: "2: On second thought we don't want to promote this", subject: "promosi",
			body: "On second thought we don't want to promote this video. Refund please.", kind: "refund", reason: "changed_mind"},
		{name: "2: Sudah tidak perlu promosi lagi, tokonya tutup. M", subject: "promosi",
			body: "Sudah tidak perlu promosi lagi, tokonya tutup. Minta refund.", kind: "refund", reason: "changed_mind"},
		{name: "2: We've changed plans and won't be advertising, pl", subject: "promosi",
			body: "We've changed plans and won't be advertising, please refund.", kind: "refund", reason: "changed_mind"},
		{name: "2: The app kept crashing and the promotion never ki", subject: "promosi",
			body: "The app kept crashing and the promotion never kicked off. Refund.", kind: "refund", reason: "technical_error"},
		{name: "2: Promosinya gak kunjung tayang padahal udah 3 har", subject: "promosi",
			body: "Promosinya gak kunjung tayang padahal udah 3 hari. Refund.", kind: "refund", reason: "technical_error"},
		{name: "2: It's been pending forever, nothing happened. Ref", subject: "promosi",
			body: "It's been pending forever, nothing happened. Refund please.", kind: "refund", reason: "technical_error"},
		{name: "2: Uang udah kepotong tapi promosinya ga kebuat. To", subject: "promosi",
			body: "Uang udah kepotong tapi promosinya ga kebuat. Tolong dibalikin.", kind: "refund", reason: "technical_error"},
		{name: "2: It barely got any views for what I paid. Refund", subject: "promosi",
			body: "It barely got any views for what I paid. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "2: Jumlah penontonnya jauh dari yang dijanjikan, mi", subject: "promosi",
			body: "Jumlah penontonnya jauh dari yang dijanjikan, minta refund.", kind: "refund", reason: "under_delivery"},
		{name: "2: Hardly anyone saw it, nowhere near the estimate", subject: "promosi",
			body: "Hardly anyone saw it, nowhere near the estimate. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "2: Yang lihat cuma sedikit banget, gak sesuai estim", subject: "promosi",
			body: "Yang lihat cuma sedikit banget, gak sesuai estimasi. Refund.", kind: "refund", reason: "under_delivery"},
		{name: "2: Promosinya tayang ke luar negeri padahal saya ju", subject: "promosi",
			body: "Promosinya tayang ke luar negeri padahal saya jualan lokal. Refund.", kind: "refund", reason: "other"},
		{name: "2: I was charged in euros instead of pounds. Refund", subject: "promosi",
			body: "I was charged in euros instead of pounds. Refund the difference.", kind: "refund", reason: "other"},
		{name: "2: My promotion reached people outside Kenya though", subject: "promosi",
			body: "My promotion reached people outside Kenya though I chose Nairobi. Refund.", kind: "refund", reason: "other"},
		{name: "2: Tolong tarik video saya dari iklan brand itu", subject: "promosi",
			body: "Tolong tarik video saya dari iklan brand itu.", kind: "revocation", reason: ""},
		{name: "2: I no longer give permission for BrandY to use my", subject: "promosi",
			body: "I no longer give permission for BrandY to use my content.", kind: "revocation", reason: ""},
		{name: "2: Saya sudah tidak setuju video saya dipakai iklan", subject: "promosi",
			body: "Saya sudah tidak setuju video saya dipakai iklan mereka.", kind: "revocation", reason: ""},
		{name: "2: Please stop the brand from using my video", subject: "promosi",
			body: "Please stop the brand from using my video.", kind: "revocation", reason: ""},
		{name: "2: Mohon akhiri izin penggunaan video saya oleh bra", subject: "promosi",
			body: "Mohon akhiri izin penggunaan video saya oleh brand tersebut.", kind: "revocation", reason: ""},
		{name: "2: My card was frozen for a day, then the promotion", subject: "promosi",
			body: "My card was frozen for a day, then the promotion was charged twice. Refund one please.", kind: "refund", reason: "duplicate_charge"},
		{name: "2: Tidak perlu promosi ulang, cukup kembalikan dana", subject: "promosi",
			body: "Tidak perlu promosi ulang, cukup kembalikan dana saya karena views cuma 200 dari estimasi 5rb.", kind: "refund", reason: "under_delivery"},
		{name: "2: I hardly ever complain, but it got only 300 view", subject: "promosi",
			body: "I hardly ever complain, but it got only 300 views out of the 6k estimated. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "2: Nothing happened wrong with the app, I stopped t", subject: "promosi",
			body: "Nothing happened wrong with the app, I stopped the promotion myself after a day. Refund the rest.", kind: "refund", reason: "closed_early"},
		// heldout8's kinds (issue 16), in other words, with negatives.
		{name: "dua potongan yang sama", subject: "saldo",
			body: "Di mutasi ada 2 potongan yang sama persis buat satu promosi. Mohon yang satu dikembalikan.", kind: "refund", reason: "duplicate_charge"},
		{name: "ketarik 2x", subject: "promosi",
			body: "Saldo saya ketarik 2x padahal cuma pesan sekali, tolong refund.", kind: "refund", reason: "duplicate_charge"},
		{name: "not: dua video yang sama", subject: "promosi",
			body: "Saya punya dua video yang sama, yang tayang malah video lain, bukan yang saya pilih. Minta refund.", kind: "refund", reason: "wrong_video"},
		{name: "shop link never showed, views full", subject: "promo",
			body: "The views came in full but the shop link never showed on the ad, so nobody could buy. I want a refund.", kind: "refund", reason: "other"},
		{name: "keranjang kuning gak nongol", subject: "iklan",
			body: "Views udah masuk semua tapi keranjang kuning gak nongol di iklannya. Minta refund ya.", kind: "refund", reason: "other"},
		{name: "not: promosi tidak muncul", subject: "iklan",
			body: "Promosi saya tidak muncul sama sekali di daftar. Minta refund.", kind: "refund", reason: "technical_error"},
		{name: "reply: cuma tembus 500an views", reply: true,
			body: "Intinya yang dijanjikan 8rb, cuma tembus 500an views. Tolong refund.", kind: "refund", reason: "under_delivery"},
		{name: "only hit 900 views", subject: "boost",
			body: "The boost only hit 900 views, nowhere near it. Refund please.", kind: "refund", reason: "under_delivery"},
		{name: "not: dihentikan sepihak by myself, no", subject: "promosi",
			body: "Promosi saya hentikan sendiri setelah sehari karena salah target umur. Minta sisa saldonya.", kind: "refund", reason: "closed_early"},
		{name: "dihentikan secara sepihak oleh tiktok", subject: "promosi",
			body: "Promosi saya dihentikan secara sepihak oleh TikTok karena lagunya. Minta dananya kembali.", kind: "refund", reason: "stopped_by_platform"},
		{name: "away but asks: stopped by TikTok", subject: "promosi",
			body: "Saya lagi opname di rumah sakit, balasnya mungkin lama. Promosi saya diberhentikan sepihak oleh TikTok. Mohon refund.", kind: "refund", reason: "stopped_by_platform"},
		{name: "agency no longer has the right", subject: "agency",
			body: "We ended our contract with the agency last month, so they no longer have the right to use my videos for any paid promotion.", kind: "revocation"},
		{name: "akses agensi ke video diputus", subject: "konten",
			body: "Kontrak dengan agensi sudah selesai. Mohon akses mereka ke video saya diputus.", kind: "revocation"},
		{name: "not: no longer the right to a refund?", subject: "refund",
			body: "Do I no longer have the right to a refund? The promotion got only 300 views. Please refund.", kind: "refund", reason: "under_delivery"},
		{name: "forwarded: halted, does not comply", subject: "Fwd: promotion",
			body: "Money back please.\n\nBegin forwarded message:\n\nFrom: TikTok Promote\nSubject: Your promotion\n\nHi sam,\n\nWe have halted your ad because it does not comply with our advertising policies.\n\nThe Promote Team", kind: "refund", reason: "stopped_by_platform"},
		{name: "launch postponed, don't need it to run", subject: "scheduled promo",
			body: "Our launch was postponed to March, so we don't need the promotion to run anymore. Please cancel it and refund.", kind: "refund", reason: "changed_mind"},
		{name: "acara diundur", subject: "promo terjadwal",
			body: "Acaranya diundur bulan depan jadi promosinya tidak perlu jalan lagi. Tolong batalkan dan refund.", kind: "refund", reason: "changed_mind"},
		// heldout9's kinds (issue 16), in other words, with negatives. A
		// revocation by its structure: a permission given to someone else
		// for a time, and they still use the content; their access to it
		// ended; they not to be let use it again; it taken out of their
		// ads; regional negators and "kita" for "I" (Manado, Ambon).
		{name: "izin dua minggu, masih mereka gunakan", subject: "video saya",
			body: "Bulan lalu saya mengizinkan Toko Sinar memakai video saya selama dua minggu. Sekarang sudah lewat sebulan tetapi video itu masih mereka gunakan untuk iklan.", kind: "revocation"},
		{name: "kasih izin seminggu doang, masih dipake", subject: "videoku",
			body: "kak aku kasih izin ke brand skincare buat pake videoku seminggu doang, tp sampe skrg masih dipake di iklan mereka 😭", kind: "revocation"},
		{name: "allowed for a weekend, still running it", subject: "our reel",
			body: "We allowed a bakery to feature our reel for one weekend. Three weeks on, they're still running it as a sponsored post. Please have them take it down.", kind: "revocation"},
		{name: "gave permission for January, keep using it", subject: "workout clip",
			body: "I gave the gym permission to use my workout clip for their January promo. It's March and they keep using it. Can you cut off their access?", kind: "revocation"},
		{name: "putuskan akses toko ke video", subject: "video",
			body: "Mohon putuskan akses Toko Melati ke video saya, kerja samanya sudah selesai.", kind: "revocation"},
		{name: "cut off access to my clips", subject: "clips",
			body: "The partnership is over, so please end the access the agency has to my clips.", kind: "revocation"},
		{name: "Ambon: nda mau lagi kita pe foto dipake", subject: "foto",
			body: "Kita nda mau lagi kita pe foto dipake for dong pe iklan. Makase.", kind: "revocation"},
		{name: "remove it from the shop's ads, don't allow them again", subject: "video",
			body: "Please remove my clip from the shop's ads and don't allow them to use it again.", kind: "revocation"},
		{name: "one campaign only, don't let them use it in new ads", subject: "agency",
			body: "The agency had my okay for one campaign only. Please don't let them use it in any new ads.", kind: "revocation"},
		{name: "jangan biarkan mereka pakai lagi", subject: "konten",
			body: "Izin ke brand itu sudah habis. Jangan biarkan mereka pakai konten saya lagi ya.", kind: "revocation"},
		{name: "turunkan video itu dari iklan mereka", subject: "video",
			body: "Tolong turunkan video itu dari iklan mereka, kontraknya sudah berakhir.", kind: "revocation"},
		{name: "they keep running it: no authorization kept", subject: "my video",
			body: "They keep running my video in their ads though the deal ended, so please remove it from their ads.", kind: "revocation"},
		{name: "mereka tetap pakai: no authorization kept", subject: "video",
			body: "Kontrak sudah habis tapi mereka tetap pakai video saya di iklan. Tolong putuskan akses mereka ke video itu.", kind: "revocation"},
		{name: "not: the authorization kept, the rest back", subject: "budget",
			body: "Please keep my authorization as it is, I just want the rest back.", kind: "refund"},
		// Not revocations: one's own promotion still running, a permission
		// given and still fine, charges not to be let happen again.
		{name: "not: own promotion still showing, refund", subject: "promo",
			body: "My promotion is still showing my video, but it got only 300 views out of the 5,000 estimated. Please refund the rest.", kind: "refund", reason: "under_delivery"},
		{name: "not: permission fine, views short", subject: "refund",
			body: "I allowed the brand to use my video and they are still using it, which is fine. I just want a refund for the promotion that got 200 views out of the 5,000 estimated.", kind: "refund", reason: "under_delivery"},
		{name: "not: izin sudah, promosi masih belum tayang", subject: "promosi",
			body: "Saya sudah kasih izin ke brand, tapi promosi saya masih belum tayang padahal saldo sudah terpotong. Minta refund.", kind: "refund", reason: "technical_error"},
		{name: "not: don't let them charge me again", subject: "charge",
			body: "You charged me twice for one boost. Don't let them charge my card again and refund the second one.", kind: "refund", reason: "duplicate_charge"},
		// A refund asked as the rest or what is left, given back.
		{name: "the remainder back", subject: "budget",
			body: "Set a $30 budget, only $12 got used. Can I have the remainder back?", kind: "refund"},
		{name: "unused portion returned", subject: "promo",
			body: "Would like the unused portion returned to my card please.", kind: "refund"},
		{name: "sisanya bisa balik", subject: "promo",
			body: "kak promo aku cuma kepake 20rb dari 50rb, sisanya bisa balik ga?", kind: "refund"},
		{name: "what's left back", subject: "boost",
			body: "Only a third of the budget was spent. Can I get what's left back?", kind: "refund"},
		{name: "not: the rest of the views came back", subject: "views",
			body: "The rest of the views came back to normal after a day, thanks for checking.", kind: ""},
		// heldout10's kinds (issue 16), in other words: the permission that
		// outlived its use, told as the writer's own act or agreement, or as
		// the video's code handed over, and their still using it; with
		// negatives where the same permission is fine and money is asked.
		{name: "saya izinkan selama kerja sama, masih ditayangkan", subject: "video unboxing",
			body: "Tahun lalu toko itu saya izinkan memakai video unboxing saya selama kami bekerja sama. Kerja sama sudah berakhir, tetapi video tersebut masih mereka tayangkan di iklan.", kind: "revocation"},
		{name: "chat: sepakat bisa pake 2 minggu, masih dipake", subject: "videoku",
			body: "kak kmrn kita sepakat klinik itu bisa pake videoku 2 minggu aja, skrg udh 2 bulan masih dipake buat iklan mereka", kind: "revocation"},
		{name: "kode iklan dikirim ke butik, masih dipakai", subject: "video",
			body: "Saya kirim kode iklan video saya ke butik itu untuk promo Lebaran. Lebaran sudah lewat tapi video saya masih dipakai di iklan mereka. Saya tidak minta uang.", kind: "revocation"},
		{name: "US: agreed the bakery could use, still showing", subject: "my reel",
			body: "We agreed the bakery could use my latte art reel for their opening week. It's been two months and the reel is still showing up in their sponsored posts.", kind: "revocation"},
		{name: "UK: sent the agency my video's code, still running", subject: "campaign",
			body: "Last spring I sent the agency my video's code for a six-week campaign. They're still running it in their adverts now, in November.", kind: "revocation"},
		{name: "IN: were allowed to use for 15 days, still using", subject: "dance video",
			body: "As per our agreement they were allowed to use my dance video for 15 days only. Still they are using it in their ads even after 2 months.", kind: "revocation"},
		{name: "not: agreed they can use, fine; views short", subject: "refund",
			body: "We agreed they can use my video for as long as they like, and they're still using it, which is fine. My own promotion got 300 views out of the 5,000 estimated, please refund.", kind: "refund", reason: "under_delivery"},
		{name: "not: gave them the code, still haven't used it; charged twice", subject: "charge",
			body: "I gave them the code last week but they still haven't used it. Meanwhile my own boost was charged twice, please refund the second one.", kind: "refund", reason: "duplicate_charge"},
		{name: "not: saya izinkan, masih dipakai tidak masalah; ditolak", subject: "promosi",
			body: "Saya izinkan brand itu pakai video saya dan masih mereka pakai, tidak masalah. Yang saya minta refund promosi saya yang ditolak.", kind: "refund", reason: "rejected"},
		// The permission's end asked of whatever is left of it, and what the
		// writer wants said as their not using the content; a story of a
		// video still in someone's advert from a writer who declines money
		// is no refund, whatever went wrong in it.
		{name: "terminate any permission the gym still has", subject: "clip",
			body: "Please terminate any permission the gym still has for my workout clip.", kind: "revocation"},
		{name: "akhiri izin yang masih dipegang agensi", subject: "video",
			body: "Tolong akhiri izin yang masih dipegang agensi itu atas video saya.", kind: "revocation"},
		{name: "AU: all I want is that the shop doesn't use my reel", subject: "reel",
			body: "Their deal with me wrapped up in winter. All I want is that the shop doesn't use my reel any more.", kind: "revocation"},
		{name: "chat: aku mau biar toko itu gak pake videoku", subject: "video",
			body: "kak kontraknya udh abis, aku mau biar toko itu gak pake videoku lagi", kind: "revocation"},
		{name: "not: I was allowed to use my video again, still running", subject: "promotion",
			body: "I was allowed to use my video in a second promotion and it's still running fine, thanks.", kind: ""},
		{name: "not: the problem is that they cannot run my promotion", subject: "promotion",
			body: "The problem is that they cannot run my promotion because of a payment error. Please refund the Rp 80.000.", kind: "refund", reason: "technical_error"},
		{name: "story, money declined: no refund", subject: "my reel",
			body: "The shop's advert with my reel is still up though our deal ended in June, and nothing has happened since I complained. I don't want any money.", kind: ""},
		// No refund; the reading model reads the story as a revocation, as
		// the blind writers of heldout12 (006) and heldout13 (019) call
		// such a story: a video still in a shop's ads after the deal ended.
		{name: "cerita, uang tidak usah: bukan refund", subject: "video",
			body: "Video saya masih muncul di iklan toko itu padahal kontraknya selesai bulan lalu, sudah saya laporkan tapi belum ada perubahan. Uangnya tidak usah.", kind: "revocation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := understandProbe(t, c.subject, c.body, c.reply)
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

// The shapes of heldout9's reason misses (issue 16), in other words and
// both languages: a number promised against a smaller number that came;
// money taken with nothing where the promotion should be listed; the
// creator who ended it herself; one order against two charges; views from
// elsewhere than the place chosen; and mails that must not read so.
func TestReadingReasonShapeProbes(t *testing.T) {
	cases := []reasonProbe{
		// A number promised or estimated, a smaller one delivered.
		{name: "perkiraan penayangan, hasil akhir", subject: "promosi",
			body: "Di layar pembayaran tertulis perkiraan 10rb–12rb penayangan. Hasil akhirnya cuma 1.400-an. Mohon dananya dikembalikan.", reason: "under_delivery"},
		{name: "chat: katanya 3-4rb, dapetnya 700 doang", subject: "promo",
			body: "kak td pas bayar katanya bakal dapet 3-4rb penayangan, skrg udh kelar dapetnya 700 doang. refund ya", reason: "under_delivery"},
		{name: "US: projected, wrapped up at", subject: "boost",
			body: "The app projected 12,000 to 20,000 views for my boost. It wrapped up at 1,900. I'd like a partial refund.", reason: "under_delivery"},
		{name: "UK: said between 4k and 6k, finished on 800", subject: "promote",
			body: "It said I'd get between 4k and 6k plays, we finished on 800 or so. Could I have some money back?", reason: "under_delivery"},
		{name: "IN: expected impressions, total received", subject: "promotion",
			body: "Expected 25,000-30,000 impressions as per the app, but total received is 3 200 only. Kindly refund the balance.", reason: "under_delivery"},
		{name: "NG: promised 7k, only 650", subject: "promotion",
			body: "They promised 7k viewers, na only 650 we got. Abeg refund my money.", reason: "under_delivery"},
		// Must not read so: more came than promised; money and days.
		{name: "not: more than estimated, charged twice", subject: "promotion",
			body: "It estimated 2,000-3,000 views and we got 3,400, great. But I was charged twice for it, please refund one.", reason: "duplicate_charge"},
		{name: "not: estimated money, stopped by TikTok", subject: "promosi",
			body: "Perkiraan biaya Rp 150.000, yang terpotong cuma Rp 100.000 lalu promosinya dihentikan TikTok karena melanggar pedoman. Minta sisanya.", reason: "stopped_by_platform"},
		{name: "not: estimated days, TikTok stopped it", subject: "promotion",
			body: "Estimated 5 days, it only ran 2 days and then TikTok stopped it for a policy violation. Refund the rest please.", reason: "stopped_by_platform"},

		// Money taken, nothing where the promotion should be listed.
		{name: "AU: paid, promotions list empty", subject: "boost",
			body: "Paid $15 for a boost last night but my promotions list is completely empty this morning. Refund please.", reason: "technical_error"},
		{name: "US: charged, nothing in ads history", subject: "charge",
			body: "My card got charged $30 but there's nothing in the Ads history, no boost, nothing. Please refund.", reason: "technical_error"},
		{name: "ID formal: terpotong, halaman tidak ada apa pun", subject: "saldo",
			body: "Saldo saya sudah terpotong Rp 75.000, namun di halaman Kelola Promosi tidak ada apa pun. Mohon dikembalikan.", reason: "technical_error"},
		{name: "ID chat: koin kepotong, riwayat ga ada apa2", subject: "koin",
			body: "koin udah kepotong tp di riwayat promosi ga ada apa2 kak, balikin ya", reason: "technical_error"},
		{name: "app froze after paying", subject: "promote",
			body: "The app froze after paying, I was charged $12 and I can't see the boost on my promotions page. Refund please.", reason: "technical_error"},
		{name: "seolah tidak pernah order", subject: "promosi",
			body: "Uang sudah keluar tapi seolah-olah saya tidak pernah order, daftar promosinya kosong. Tolong dikembalikan.", reason: "technical_error"},
		// Must not read so: never ordered at all; a frozen ad account;
		// nothing wrong in the history.
		{name: "not: never ordered, card billed", subject: "tagihan",
			body: "Saya tidak pernah pesan promosi apa pun, tapi kartu saya ditagih Rp 50.000. Minta dikembalikan.", reason: "other"},
		{name: "not: ad account frozen by TikTok", subject: "refund",
			body: "My ad account was frozen by TikTok and the promotion stopped. Refund the rest please.", reason: "stopped_by_platform"},
		{name: "not: nothing wrong in the history, charged twice", subject: "payment",
			body: "The promotion ran and nothing in the history looks wrong, but my card was charged twice. Refund one.", reason: "duplicate_charge"},

		// The creator ended it herself, for her own mistake.
		{name: "UK: binned it myself", subject: "promote",
			body: "I binned the boost myself after a day because the price in the video was wrong. Can I have the unspent bit back?", reason: "closed_early"},
		{name: "US: pulled the plug myself", subject: "promo",
			body: "I pulled the plug on it myself on day two, my mistake with the audience. Refund the rest?", reason: "closed_early"},
		{name: "NZ: shut the promo down myself", subject: "promo",
			body: "I shut the promo down myself once I realised the link was broken. Please refund what's left.", reason: "closed_early"},
		{name: "ID: saya hapus sendiri", subject: "promosi",
			body: "Promosinya saya hapus sendiri karena salah setting kota. Sisanya tolong dikembalikan.", reason: "closed_early"},
		// Must not read so: the platform ended it; she did not.
		{name: "not: set up myself, TikTok killed it", subject: "promo",
			body: "I set it up myself and TikTok killed it after a day for a policy violation. Refund please.", reason: "stopped_by_platform"},

		// One order, two charges.
		{name: "UK: both payments, ordered once", subject: "payments",
			body: "Both payments came off my debit card and I'd only ordered once. Please send one back.", reason: "duplicate_charge"},
		{name: "ID chat: checkout 1x, kepotongnya dua", subject: "saldo",
			body: "padahal aku cuma checkout 1x, kok kepotongnya dua, struknya juga ada 2. balikin satu ya kak", reason: "duplicate_charge"},
		{name: "ID formal: satu kali pemesanan, dua notifikasi", subject: "pembayaran",
			body: "Saya hanya melakukan satu kali pemesanan, namun terdapat dua notifikasi pembayaran dengan nominal yang sama. Mohon dikembalikan satu.", reason: "duplicate_charge"},
		{name: "IN: received 2 mails, booked one", subject: "promotion",
			body: "Received 2 of these mails and both amounts are debited. I booked only one promotion. Kindly refund.", reason: "duplicate_charge"},
		// Must not read so: one payment, never started; two orders.
		{name: "not: paid once, never started", subject: "promotion",
			body: "I only paid once, and the promotion never started. Refund please.", reason: "technical_error"},

		// Views from elsewhere than the place chosen.
		{name: "reply: nearly all from India, chose Canada", reply: true,
			body: "Views came in fine, but nearly all of them were from India. I chose Canada when I set it up. Refund please.", reason: "other"},
		{name: "reply: hampir semuanya dari Malaysia", reply: true,
			body: "Views-nya sih masuk, tapi hampir semuanya dari Malaysia, padahal waktu bikin saya pilih Indonesia. Minta refund.", reason: "other"},
		{name: "UK: mostly from the States, set it to the UK", subject: "promote",
			body: "Plenty of views, mostly from the States, though I'd set it to the UK only. I'd like my money back.", reason: "other"},
		// Must not read so: from the place chosen, but too few.
		// More that must not read as the shapes above: nothing in sales;
		// "sekali" as "very"; one order tried again; the place served
		// with no origin of the views; a count of payments.
		{name: "not: nothing in sales, dashboard", subject: "boost",
			body: "I paid for the boost, got nothing in sales, and my dashboard shows 200 views out of the 5k estimated. Refund please.", reason: "under_delivery"},
		{name: "not: bayar mahal sekali, ditolak dua kali", subject: "promosi",
			body: "Saya bayar mahal sekali, tapi promosinya ditolak dua kali. Minta refund.", reason: "rejected"},
		{name: "not: one promo, tried again, rejected", subject: "promo",
			body: "I bought one promo, it got rejected, so I tried again and it got rejected again. Refund please.", reason: "rejected"},
		{name: "not: sell only in Jakarta, views low", subject: "promo",
			body: "We sell only in Jakarta. The views were low, 300 out of the 5k estimated. Refund please.", reason: "under_delivery"},
		{name: "not: estimate and two payments", subject: "promo",
			body: "It estimated 3,000 views and I was charged twice, 2 payments of $20. Refund one.", reason: "duplicate_charge"},
		{name: "not: an id after tertulis, rejected", subject: "promosi",
			body: "Di riwayat tertulis 7301040843922390748, cuma itu yang ada. Promosinya ditolak, tolong refund.", reason: "rejected"},
		{name: "not: more than the estimate, kepotong dua kali", subject: "saldo",
			body: "Estimasi 5rb penayangan, hasilnya malah lebih: 6.200. Tapi saldo saya kepotong dua kali, mohon dikembalikan satu.", reason: "duplicate_charge"},
		{name: "not: once it ran, stopped, ran again", subject: "boost",
			body: "We booked the boost and once it ran TikTok stopped it for a policy violation. Then it ran again for a day. Refund the rest.", reason: "stopped_by_platform"},
		{name: "not: from the city picked, too few", subject: "promo",
			body: "Most of them were from Surabaya like I picked, but only 300 views out of the 5k estimated. Refund please.", reason: "under_delivery"},
	}
	checkReasonProbes(t, cases)
}

// The shapes of heldout10's reason misses (issue 16), in other words and
// both languages: a followers goal far from reached (a small count of
// people that came against the estimate); two debits seen on a statement
// for one order; money taken from another way of paying than the one
// chosen; a promotion turned down, said with a relative clause or with
// who turned it down; and mails that must not read so.
func TestReadingReasonShapeProbes10(t *testing.T) {
	cases := []reasonProbe{
		// A followers goal: a count of people promised, a smaller one came.
		{name: "ID formal: estimasi pengikut, hanya bertambah 23", subject: "promosi",
			body: "Pada layar pembayaran tertulis estimasi pengikut baru 500–1.000. Setelah promosi selesai, akun kami hanya bertambah 23 pengikut. Mohon pengembalian dana.", reason: "under_delivery"},
		{name: "ID chat: katanya 300an follower, nambah 5", subject: "promo",
			body: "kak katanya bakal dapet 300an follower baru, eh cuma nambah 5 follower doang 😭 refund ya kak", reason: "under_delivery"},
		{name: "US: projected followers, gained 31", subject: "boost",
			body: "I set the goal to followers. It projected 1,000-2,500 new followers and we gained 31 over the whole week. I want my money back.", reason: "under_delivery"},
		{name: "AU: estimate 250 to 600, got 4 new followers", subject: "promote",
			body: "The estimate said 250 to 600 followers. Got 4 new followers all up. Bit of a joke, refund please.", reason: "under_delivery"},
		{name: "IN: expected followers, total received 12", subject: "promotion",
			body: "As per the app, expected followers 400-800. Total received is 12 followers only. Kindly refund.", reason: "under_delivery"},
		// Must not read so: more came; a small count of other things.
		{name: "not: gained more followers than estimated, charged twice", subject: "boost",
			body: "It estimated 300-600 new followers and I gained 700, lovely. But I was charged twice, please refund one.", reason: "duplicate_charge"},
		{name: "not: estimated views, got 3 emails, rejected", subject: "boost",
			body: "It estimated 5,000 views. Then I got 3 emails saying the ad was rejected. Refund please.", reason: "rejected"},
		{name: "not: estimasi, cuma 2 hari, dihentikan TikTok", subject: "promosi",
			body: "Estimasi 3.000 penayangan, tapi cuma jalan 2 hari lalu dihentikan oleh TikTok karena melanggar pedoman. Minta sisanya.", reason: "stopped_by_platform"},

		// Two debits on a statement, one order.
		{name: "ID: rekening koran, dua penarikan, cuma bayar sekali", subject: "dana",
			body: "Di rekening koran ada dua penarikan dengan jumlah sama, padahal kami cuma bayar sekali. Mohon salah satunya dikembalikan.", reason: "duplicate_charge"},
		{name: "ID chat: checkout sekali, 2 tarikan di m-banking", subject: "saldo",
			body: "aku cuma checkout sekali tp di m-banking ada 2 tarikan 150rb, balikin satu ya", reason: "duplicate_charge"},
		{name: "US: paid once, two identical entries", subject: "statement",
			body: "I only paid once, yet my bank statement has two identical entries from TikTok. Please reverse one.", reason: "duplicate_charge"},
		{name: "IN: only one payment, two withdrawals in passbook", subject: "refund",
			body: "I made only one payment, but my passbook shows two withdrawals of Rs. 500 for the promotion. Kindly return one.", reason: "duplicate_charge"},
		{name: "ID subject: pendebetan ganda", subject: "Pendebetan ganda promosi",
			body: "Mohon kelebihan pendebetan dikembalikan ke rekening kami.", reason: "duplicate_charge"},
		// Must not read so: two orders, one rejected.
		{name: "not: dua pendebetan untuk dua promosi, satu ditolak", subject: "promosi",
			body: "Kami membuat dua promosi, jadi ada dua pendebetan di rekening. Yang kedua ditolak, mohon dananya dikembalikan.", reason: "rejected"},

		// Money taken from another way of paying than the one chosen.
		{name: "ID: pilih OVO, yang kepotong kartu kredit kantor", subject: "tagihan",
			body: "Waktu checkout saya pilih bayar pakai OVO, tapi yang kepotong malah kartu kredit kantor. Promosinya sendiri jalan normal. Mohon dikembalikan ke kartu itu.", reason: "other"},
		{name: "ID chat: milih gopay, ditagih ke kartu debit", subject: "promo",
			body: "aku milih gopay pas bayar, eh ditagihnya ke kartu debit suami 😭 promonya sih jalan, tp tolong refund yg di kartu ya", reason: "other"},
		{name: "US: selected Apple Pay, came off the old debit card", subject: "charge",
			body: "I selected Apple Pay, but the money came off my old debit card instead. The boost itself went fine. Can you refund the card so I pay the right way?", reason: "other"},
		{name: "PH: picked GCash, billed the BPI card", subject: "boost",
			body: "Picked GCash at checkout po, but it billed my BPI credit card. Please refund the card.", reason: "other"},
		{name: "UK: chose PayPal, the Amex was charged", subject: "payment",
			body: "I chose PayPal when paying, but my Amex was charged instead. Could you refund the Amex?", reason: "other"},
		// Must not read so: the way chosen is the one charged.
		{name: "not: chose PayPal, charged twice", subject: "payment",
			body: "I chose PayPal and PayPal charged me twice for one boost. Refund one please.", reason: "duplicate_charge"},
		{name: "not: picked the card, card charged, stopped", subject: "boost",
			body: "I picked the card option and the card was charged, then TikTok stopped the ad for a policy violation. Refund the rest.", reason: "stopped_by_platform"},
		{name: "not: pilih kartu kredit, kartu kredit kepotong dua kali", subject: "tagihan",
			body: "Saya pilih bayar pakai kartu kredit, dan kartu kredit yang kepotong dua kali. Mohon satu dikembalikan.", reason: "duplicate_charge"},

		// Turned down: a relative clause, or who turned it down.
		{name: "US: the promo I paid for was turned down", subject: "promo",
			body: "The promo I paid for was turned down and it never ran. Refund please.", reason: "rejected"},
		{name: "UK: TikTok turned my boost down", subject: "boost",
			body: "TikTok turned my boost down and nothing ever ran. Money back please.", reason: "rejected"},
		{name: "AU: they knocked it back", subject: "boost",
			body: "Paid for a boost, they knocked it back within an hour and it never ran a single view. Refund please.", reason: "rejected"},
		{name: "an ad which had been knocked back", subject: "ad",
			body: "I want my money back for an ad which had been knocked back, it never went live.", reason: "rejected"},
		// Must not read so: a refund request turned down.
		{name: "not: they turned down my refund request", subject: "promotion",
			body: "The promotion was stopped by TikTok for a policy violation, and they turned down my first refund request. Please look again.", reason: "stopped_by_platform"},
	}
	checkReasonProbes(t, cases)
}

// The kinds of heldout11's kind misses (issue 16), in other words: a
// revocation asked by someone writing for the creator, after a deal ended,
// with the owner named ("any of Dana's videos", "video Rina") and what is
// asked after a colon; the desk's own name in a greeting, which asks for
// no refund; an amount or the one in hand asked back ("the £12 back", "can
// I get this one back?"). With mails that must
// not read so.
func TestReadingIntentProbes11(t *testing.T) {
	cases := []struct{ name, body, kind string }{
		{"us agency: any of Dana's videos", "I represent the creator Dana Liu. Her deal with Brightside Cosmetics ended last month, but they keep running her clips as ads. Please make sure Brightside can no longer use any of Dana's videos.", "revocation"},
		{"uk: licence expired, two-word brand", "Writing on behalf of my client Tom. The licence we gave Harbour Foods expired on 30 November. Kindly ensure that Harbour Foods cannot use Tom's clips in their adverts from now on.", "revocation"},
		{"id formal: yang kami minta, colon", "Saya mewakili kreator Rina. Kerja sama dengan PT Sari Rasa sudah selesai bulan lalu. Yang kami minta: PT Sari Rasa tidak lagi menayangkan video Rina sebagai iklan.", "revocation"},
		{"id chat: manajer, mau supaya gak bisa pake", "kak aku manajernya dinda. kontrak sama brand Glowup udah kelar, tp video dinda masih dipake iklan mereka. aku mau supaya mereka gak bisa pake video dinda lagi", "revocation"},
		{"id: Tim RefundDesk greeting, kode video still shown", "Selamat pagi Tim RefundDesk,\n\nKode video saya berikan ke Toko Makmur untuk sebulan, tapi sampai sekarang masih muncul sebagai iklan mereka. Kami tidak meminta uang.", "revocation"},
		{"en: Dear Refund Desk team, codes shared, still running", "Dear Refund Desk team,\n\nWe shared our video codes with Lakeside Gym for a two-week promo in October. They are still running the clips as ads today. No money needed.", "revocation"},
		{"ph: the ₱500 back please", "Hi po, the boost did not run at all. Can I get the ₱ 500 back please?", "refund"},
		{"uk: the £12 back", "Morning, the promotion only ran for a few hours. Could I have the £12 back?", "refund"},
		{"id: Rp 75.000 nya kembali", "Promosi saya tidak jalan sama sekali. Bisa Rp 75.000 nya kembali ya kak?", "refund"},
		{"mx: 300 pesos back", "Hello, I pay the promotion but I want my 300 pesos back, please.", "refund"},
		{"us: get that one back", "Saw the receipt you sent. Could I get that one back pls", "refund"},
		{"nz: have this amount back", "Kia ora, about the receipt below: I'd like to have this amount back, thanks.", "refund"},
		{"get this one back up and running: no refund", "How do I get this one back up and running after I edited it?", ""},
		// must not change
		{"Hi RefundDesk, refund please", "Hi RefundDesk team, my boost never ran. Refund please.", "refund"},
		{"the desk's name alone asks nothing", "Hello RefundDesk, just saying thanks for the help last week.", ""},
		{"an amount back in March", "The promotion cost $20 back in March and it ran fine. Just saying thanks.", ""},
		{"ensure they can still use it, refund", "Kindly ensure that Spicenest can still use her videos; we only want the refund of the second charge.", "refund"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := understandProbe(t, "Request", c.body, false)
			kind := ""
			if got.KindStated {
				kind = string(got.Kind)
			}
			if kind != c.kind {
				t.Errorf("kind %q, want %q\n%s", kind, c.kind, c.body)
			}
		})
	}
}

// The kinds of heldout11's reason misses (issue 16), in other words than
// its mails: which reason wins when several are named, and the rarer
// reasons as people put them (who stopped it, what was promoted set
// against what was chosen, someone else who bought it, a status that has
// not moved, a cause for not running, a magnitude promised in words). With
// mails that must not read so.
func TestReadingReasonShapeProbes11(t *testing.T) {
	cases := []reasonProbe{
		// A word inside another: "masalah promosi" is not "salah promosi".
		{name: "ID: masalah promosi, dihentikan karena melanggar", subject: "promosi",
			body: "Mau tanya masalah promosi saya. Kemarin statusnya jadi dihentikan, katanya melanggar pedoman. Mohon sisa saldo dikembalikan.", reason: "stopped_by_platform"},
		{name: "ID chat: ada masalah promosi, dobel bayar", subject: "tolong",
			body: "kak ada masalah promosi nih, aku kepotong 2x buat satu promo. balikin satu ya", reason: "duplicate_charge"},
		{name: "not: salah pilih video", subject: "promosi",
			body: "Saya salah pilih video waktu pasang promosi, yang jalan video lama. Mohon refund.", reason: "wrong_video"},

		// Who stopped it: the desk's side, or not the writer.
		{name: "US: your system pulled my ad", subject: "ad",
			body: "Your system pulled my ad after two hours for no reason I can see. Refund what's left.", reason: "stopped_by_platform"},
		{name: "UK: you lot shut it down, I didn't end it, you did", subject: "boost",
			body: "Paid £20 for a boost and by the afternoon it said ended. I didn't end it, you did. Money back for the rest please.", reason: "stopped_by_platform"},
		{name: "ID formal: bukan saya yang menghentikan", subject: "promosi berhenti",
			body: "Promosi saya berstatus berakhir setelah satu hari, padahal bukan saya yang menghentikan. Mohon sisa dana dikembalikan.", reason: "stopped_by_platform"},
		{name: "ID chat: aku gak nyetop sendiri", subject: "promo",
			body: "promo ku tau2 selesai padahal aku gak nyetop sendiri kak. sisanya balikin ya", reason: "stopped_by_platform"},
		{name: "not: I stopped it myself", subject: "boost",
			body: "I stopped the boost myself after a day because the shop ran out of stock. Refund the unused part please.", reason: "closed_early"},

		// Denied, said of the promotion; not of a refund.
		{name: "US: ad denied", subject: "refund",
			body: "ad denied, still charged $10. pls refund", reason: "rejected"},
		{name: "IN: they denied my promotion", subject: "promotion",
			body: "They denied my promotion saying the video is not suitable, but amount is deducted. Kindly refund.", reason: "rejected"},
		{name: "not: my refund was denied, the promotion was stopped", subject: "refund",
			body: "My promotion was stopped by TikTok for a policy violation and my first refund request was denied. Please check again.", reason: "stopped_by_platform"},

		// It cannot run, for a cause in its content: rejected, not a
		// technical error.
		{name: "ID: tidak bisa ditayangkan karena hak cipta", subject: "promosi",
			body: "Promosi saya tidak bisa ditayangkan, katanya lagunya kena hak cipta. Koinnya sudah terpotong, mohon dikembalikan.", reason: "rejected"},
		{name: "AU: can't be shown, breaks the ad policies", subject: "boost",
			body: "Got a note that my boost can't be shown because the video breaks the ad policies. Never ran. Want the money back.", reason: "rejected"},
		{name: "not: tidak bisa dijalankan, error terus", subject: "promosi",
			body: "Promosinya tidak bisa dijalankan, muncul error terus di aplikasi. Saldo sudah kepotong, mohon dikembalikan.", reason: "technical_error"},

		// No longer needed, before it started: a change of mind over the
		// status it still shows.
		{name: "ID: sudah tidak kami butuhkan lagi, masih ditinjau", subject: "batal",
			body: "Acara kami sudah penuh pendaftarnya, jadi promosinya tidak kami butuhkan lagi. Statusnya masih ditinjau. Tolong dibatalkan saja dan dananya dikembalikan.", reason: "changed_mind"},
		{name: "UK: no longer needed, still in review", subject: "cancel",
			body: "The workshop sold out through word of mouth, so the promotion is no longer needed. It still says in review. Please cancel it and refund me.", reason: "changed_mind"},
		{name: "not: still in review for a week", subject: "promotion",
			body: "My promotion has been in review for 8 days and nothing happens. Refund please.", reason: "technical_error"},

		// The status it sits on past its start; nothing has run.
		{name: "US: stuck on Scheduled since Friday", subject: "boost",
			body: "The boost is still stuck on \"Scheduled\", it should have started Friday. Nothing has run. Refund it.", reason: "technical_error"},
		{name: "ID: masih berstatus Dijadwalkan", subject: "promosi",
			body: "Sudah lewat tanggal mulainya tapi promosi masih berstatus \"Dijadwalkan\", saldo sudah terpotong. Mohon dikembalikan.", reason: "technical_error"},

		// The video promoted set against the one chosen.
		{name: "US: promoted video is X but I picked Y", subject: "wrong one",
			body: "The promoted video is my Halloween skit but I picked the new recipe one. Refund please.", reason: "wrong_video"},
		{name: "ID: yang dipromosikan video lama, padahal saya pilih", subject: "promosi",
			body: "Yang dipromosikan ternyata video bulan lalu, padahal saya pilih video promo Lebaran. Mohon refund.", reason: "wrong_video"},
		{name: "ID: bukan video resep ayam bakar madu yang saya pilih", subject: "promosi",
			body: "Yang tayang di iklan video unboxing, bukan video resep ayam bakar madu yang saya pilih. Minta refund.", reason: "wrong_video"},
		{name: "not: promoted video was the one I chose, only 300 of 5,000 views", subject: "promotion",
			body: "The promoted video was the right one, which I chose. It was estimated at 5,000 views and only got 300. Refund please.", reason: "under_delivery"},

		// Someone else bought it.
		{name: "US: my son accidentally bought a boost", subject: "refund",
			body: "My 8 year old son accidentally bought a boost on my phone while playing. Please refund the $25.", reason: "other"},
		{name: "ID: anak saya gak sengaja pencet", subject: "promosi",
			body: "Anak saya yang masih TK gak sengaja mencet tombol promosikan pas main HP saya. Tolong uangnya dikembalikan.", reason: "other"},
		{name: "UK: it wasn't me who paid", subject: "charge",
			body: "It wasn't me who paid for this promotion, I've never used the feature. Please refund it.", reason: "other"},
		{name: "not: I accidentally paid for a boost myself", subject: "boost",
			body: "I accidentally paid for a boost when I meant to just look at the options. Please refund.", reason: "changed_mind"},

		// A schedule or a sound the writer never chose.
		{name: "AU: views came overnight, never set a schedule", subject: "views",
			body: "The views showed up, but all between 1am and 4am. I never set a schedule like that. Refund please.", reason: "other"},
		{name: "ID: tidak pernah atur jadwal", subject: "promosi",
			body: "Penayangannya masuk semua tengah malam, padahal saya tidak pernah atur jadwal tayang. Mohon refund.", reason: "other"},
		{name: "ID: iklannya tanpa suara", subject: "promosi",
			body: "Penayangan sudah masuk normal, tapi di iklan video saya tanpa suara, musiknya dihapus. Mohon pengembalian dana.", reason: "other"},
		{name: "NG: the ad played with no sound", subject: "promo",
			body: "Views came in fine but the ad played with no sound at all, my voice-over was the whole point. Please refund me.", reason: "other"},
		{name: "not: removed for copyright music", subject: "promo",
			body: "TikTok removed my promotion for copyright because of the song. Refund the rest.", reason: "stopped_by_platform"},

		// A magnitude promised in words.
		{name: "US: promised thousands, got a handful", subject: "boost",
			body: "Forty-two views. The app promised thousands. Refund please.", reason: "under_delivery"},
		{name: "ID: katanya bakal ribuan", subject: "promo",
			body: "katanya bakal ribuan penonton, yang nonton cuma belasan orang. refund kak", reason: "under_delivery"},
		// A notice's table: the estimate's row and, under the same label,
		// a smaller count.
		{name: "EN table: Views 310, Estimated views 2,000 - 4,000", subject: "Fwd: Your promotion has ended",
			body: "See below, refund please.\n\n---------- Forwarded message ---------\nFrom: TikTok Promote <noreply@business.tiktok.example>\n\nYour promotion has ended.\nViews 310\nEstimated views 2,000 - 4,000\nSpent USD 20.00", reason: "under_delivery"},
		{name: "ID table: Penayangan 640, Perkiraan penayangan", subject: "hasil promosi",
			body: "Hasil promosi saya seperti ini:\nPenayangan: 640\nPerkiraan penayangan: 5.000 - 8.000\nMohon pengembalian dana.", reason: "under_delivery"},
		{name: "not: table with more than estimated, charged twice", subject: "promosi",
			body: "Promosinya bagus:\nPenayangan: 9.400\nPerkiraan penayangan: 5.000 - 8.000\nTapi saya ditagih dua kali, mohon satu dikembalikan.", reason: "duplicate_charge"},
	}
	checkReasonProbes(t, cases)
}

// reasonProbe is a probe mail and the reason (and, when given, the kind)
// it must be read with; reply makes it an answer to the desk's mail.
type reasonProbe struct {
	name, subject, body string
	reply               bool
	reason, kind        string
}

// checkReasonProbes reads each probe as the intake understands it and
// checks its reason, and its kind where the probe names one.
func checkReasonProbes(t *testing.T, cases []reasonProbe) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := understandProbe(t, c.subject, c.body, c.reply)
			if string(got.Reason) != c.reason {
				t.Errorf("reason %q, want %q\n%s", got.Reason, c.reason, c.body)
			}
			if c.kind != "" && (!got.KindStated || string(got.Kind) != c.kind) {
				t.Errorf("kind %q (stated %v), want %q\n%s", got.Kind, got.KindStated, c.kind, c.body)
			}
		})
	}
}

// understandProbe reads one probe mail as the intake understands it: from
// Sari to the desk, with subject and body; with reply, an answer to the
// desk's mail on ticket 41 (the subject then the desk's).
func understandProbe(t *testing.T, subject, body string, reply bool) mail.Request {
	t.Helper()
	extra := ""
	if reply {
		subject, extra = "Re: Your request", "In-Reply-To: <rd.41.1@refunddesk.example>\r\n"
	}
	raw := "From: Sari <sari@example.com>\r\nTo: support@refunddesk.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <probe@example.com>\r\nDate: Fri, 4 Dec 2026 03:00:00 +0000\r\n" + extra +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
	m, err := mail.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return mail.Understand(context.Background(), m, nil, "refunddesk.example")
}

// The kind of heldout12-14's changed_mind misses (issue 16), in other
// words than their mails: a promotion not begun ("still scheduled", "belum
// jalan") that the writer no longer wants because their own plans changed
// (the occasion called off, the place or permit withdrawn, the rooms
// taken, a decision not to go on), in standard and regional words; a
// "double" said of checking; the right clip chosen and another run. With
// mails that must not read so: a fault that made the promotion useless, a
// promotion (not its occasion) cancelled.
func TestReadingPlansChangedProbes(t *testing.T) {
	cases := []reasonProbe{
		{name: "US: craft fair called off, still scheduled", subject: "cancel boost",
			body: "Our craft fair on Saturday got rained out and the organisers called it off. The boost hasn't started yet, it's still scheduled. Please cancel and refund.", reason: "changed_mind"},
		{name: "UK: venue cancelled our booking, not started", subject: "refund",
			body: "The pub cancelled our booking for the quiz night, so there's nothing left to advertise. The promotion has not started yet. Could you refund it?", reason: "changed_mind"},
		{name: "AU: workshop won't go ahead, still queued", subject: "boost",
			body: "The workshop I was promoting won't go ahead, the tutor is ill. Nothing has gone out yet and it's still queued. Refund please.", reason: "changed_mind"},
		{name: "UK: decision not to open, hasn't begun", subject: "promotion",
			body: "We have made the decision not to open the second shop this year, so the promotion serves no purpose. It hasn't begun. Please refund.", reason: "changed_mind"},
		{name: "US: cabins fully booked, don't need the ad", subject: "ad",
			body: "The cabins are fully booked through March, so we don't need the ad. It's still scheduled for Monday, please cancel and refund.", reason: "changed_mind"},
		{name: "ID formal: bazar ditiadakan, masih dijadwalkan", subject: "pembatalan",
			body: "Bazar ramadan di alun-alun ditiadakan oleh panitia, jadi promosi kami tidak ada gunanya lagi. Promosi belum berjalan, masih dijadwalkan. Mohon dibatalkan dan dana dikembalikan.", reason: "changed_mind"},
		{name: "ID chat: kelas masak gak jadi, blm jalan", subject: "batalin",
			body: "kak kelas masak yg mau aku promosiin gak jadi, tempatnya dipake orang. promonya blm jalan kok, masih terjadwal. balikin saldonya ya", reason: "changed_mind"},
		{name: "ID: sewa gedung batal, belum tayang", subject: "promosi",
			body: "Sewa gedung untuk seminar kami dibatalkan pemiliknya. Promosinya belum tayang, masih terjadwal. Tolong uangnya dikembalikan.", reason: "changed_mind"},
		{name: "Papua: acara su batal, tra perlu lagi", subject: "promosi",
			body: "Sa pu acara di gereja su batal, jadi sa tra perlu lagi promosi itu. Promosi belum jalan, masih terjadwal. Tolong kase kembali sa pu uang.", reason: "changed_mind"},
		{name: "Sundanese: teu peryogi deui, masih terjadwal", subject: "promosi",
			body: "Hajatan abdi dibatalkeun, janten abdi teu peryogi deui promosi na. Masih terjadwal, belum tayang. Punten uangna dipulangkeun.", reason: "changed_mind"},
		{name: "ID: kamar penuh, tidak perlu jalan lagi", subject: "iklan",
			body: "Kamar penginapan kami sudah penuh sampai akhir bulan, jadi iklannya tidak perlu jalan lagi. Iklannya belum tayang. Mohon refund.", reason: "changed_mind"},

		// Must not read so: a fault that made it useless, a promotion
		// still scheduled past its start with the occasion on, a
		// promotion (not its occasion) cancelled.
		{name: "not: stuck with an error, so no longer needed", subject: "boost",
			body: "The boost has been stuck on Scheduled for five days with an error message, so by now I no longer need it. Refund please.", reason: "technical_error"},
		{name: "not: still scheduled past its start, the event is next week", subject: "promotion",
			body: "My promotion is still scheduled even though it was supposed to start three days ago, and the event it was for is next week. Please fix it or refund.", reason: "technical_error"},
		{name: "not: bazar tetap jalan, masih terjadwal ada error", subject: "promosi",
			body: "Promosi untuk bazar saya masih terjadwal padahal sudah lewat tanggal mulainya, muncul error di aplikasi. Bazarnya tetap jalan, mohon dibantu.", reason: "technical_error"},
		{name: "not: the promotion for the course cancelled, money taken", subject: "payment",
			body: "The app said my course promotion was cancelled, but the money left my account and nothing shows in the promotions list. Refund please.", reason: "technical_error"},

		// "double" said of checking, not of a charge; said of a charge.
		{name: "not: double checked, never ran", subject: "boost",
			body: "I double checked my bank statement and there is just one payment, but the boost never ran. Refund please.", reason: "technical_error"},
		{name: "KE: billed double for one boost", subject: "charge",
			body: "Got billed double for one boost, please return one of them.", reason: "duplicate_charge"},
		// The right clip chosen, another run.
		{name: "US: picked the right clip, an old one runs", subject: "wrong ad",
			body: "I picked the right clip when paying, yet the ad shows a video from last summer. Refund please.", reason: "wrong_video"},
		{name: "ID: sudah pilih video yang benar", subject: "promosi",
			body: "Saya sudah pilih video yang benar waktu bayar, tapi yang tayang di iklan video lebaran tahun lalu. Mohon refund.", reason: "wrong_video"},
	}
	checkReasonProbes(t, cases)
}

// The kinds of heldout14-16's remaining reason misses (issue 16), in other
// words than their mails: the views shown to another age group or gender
// than the one chosen (other, not under_delivery, which stays for too few
// views); a promotion not begun that the writer's own business made
// useless (renovated, closed a while, moving) and "not needed any more"
// without a verb (changed_mind); a promotion turned down for a cause by
// whoever, and regional "not" before the approval words (rejected). With
// mails that must not read so.
func TestReadingAudienceAndRegionalProbes(t *testing.T) {
	cases := []reasonProbe{
		// The wrong audience by age or gender.
		{name: "US: women chosen, mostly men watched", subject: "wrong people",
			body: "I set my boost to target women 30-50 since I sell maternity wear. The views showed up, about 9,000, but the insights say mostly men 18-24 watched. Refund please.", reason: "other"},
		{name: "UK: over-60s chosen, served to teenagers", subject: "audience",
			body: "We chose an audience of over-60s for our mobility scooter hire. Plenty of people saw it, but it was served mainly to teenagers. We would like our money back.", reason: "other"},
		{name: "ID formal: ibu-ibu ditargetkan, pelajar yang menonton", subject: "sasaran promosi",
			body: "Kami menargetkan ibu-ibu usia 30 tahun ke atas untuk produk perlengkapan bayi. Jumlah tayangan sesuai, tetapi sebagian besar penontonnya ternyata pelajar SMA. Mohon dana dikembalikan.", reason: "other"},
		{name: "ID chat: target cowok, yg nonton kebanyakan cewek", subject: "promo jersey",
			body: "kak aku set target cowok umur 18-30 buat jualan jersey, tapi yg nonton kebanyakan cewek. views nya sih banyak tp ga ada yg beli. refund ya", reason: "other"},
		{name: "AU: males chosen, shown almost only to women", subject: "boost",
			body: "Targeted males 25-40 for our barber shop, the boost was shown almost only to women. Reach was fine. Can I get a refund?", reason: "other"},
		// Must not read so: too few views, whoever watched; another video.
		{name: "not: women chosen, only 600 of 20,000", subject: "low views",
			body: "I targeted women 25-44 but only 600 people saw it out of the 20,000 estimated. Please refund.", reason: "under_delivery"},
		{name: "not: usia dipilih, tayangan cuma 500 dari estimasi", subject: "promosi sepi",
			body: "Saya pilih target usia 18-24, tapi tayangannya cuma 500 dari estimasi 10 ribu. Mohon refund.", reason: "under_delivery"},
		{name: "not: the mums chosen watched, too few", subject: "reach",
			body: "The audience was mostly mums, like I chose, but the reach was only 300 of the 8,000 promised. Refund please.", reason: "under_delivery"},
		{name: "not: audience set, an old video ran", subject: "wrong clip",
			body: "I set the audience to women 25-44, but the ad ran my old Christmas video instead of the new one I picked. Refund please.", reason: "wrong_video"},

		// Plans changed in the writer's own business, not begun.
		{name: "UK: café closing for a refit, no need for it", subject: "boost",
			body: "We're closing the café for a refit through January, so there's no need for the boost anymore. It hasn't started yet. Please refund.", reason: "changed_mind"},
		{name: "AU: bakery remodelled, won't be needing the ad", subject: "ad",
			body: "The bakery is being remodelled next month so I won't be needing the ad. It's still scheduled. Refund please.", reason: "changed_mind"},
		{name: "ID: warung pindah, gak usah dulu", subject: "iklan",
			body: "Warung kami harus pindah tempat minggu depan, jadi iklannya gak usah dulu. Iklannya belum jalan. Tolong saldonya dibalikin.", reason: "changed_mind"},
		{name: "Banjar: toko ditutup sementara, kada usah lagi", subject: "promosi",
			body: "Toko ulun ditutup sementara gara-gara renovasi, promosinya kada usah lagi. Belum tayang jua. Minta duitnya dibulikakan.", reason: "changed_mind"},
		// Must not read so: the shop closed after it ran and was switched
		// off; not begun for a fault, the shop open.
		{name: "not: shop closed for renovation, switched off after two days", subject: "refund",
			body: "The shop is closed for renovation now, so I switched the boost off after two days. Please refund the rest.", reason: "closed_early"},
		{name: "not: belum tayang karena error, toko tetap buka", subject: "promosi",
			body: "Promosi saya belum tayang padahal sudah lewat 3 hari, muncul error di aplikasi. Toko tetap buka, tolong dicek.", reason: "technical_error"},

		// Turned down for a cause; regional "not" before approval.
		{name: "US: you guys turned my ad down for dangerous acts", subject: "charged",
			body: "You guys turned my ad down for 'dangerous acts', it's a cooking video! It never ran and my card was still charged.", reason: "rejected"},
		{name: "NZ: they knocked the boost back as misleading", subject: "boost",
			body: "They knocked the boost back as misleading, it never went live and the $25 is gone. Refund.", reason: "rejected"},
		{name: "CA: denied it as unsafe, kept the money", subject: "promotion",
			body: "Your app denied it as unsafe content and kept the $30 anyway. Send it back.", reason: "rejected"},
		{name: "Kupang: sonde disetujui, koin su dipotong", subject: "promosi",
			body: "Beta pung promosi sonde disetujui, padahal koin su dipotong. Tolong kembalikan.", reason: "rejected"},
		{name: "Banjar: kada lulus peninjauan", subject: "saldo",
			body: "Promosi ulun kada lulus peninjauan, tapi saldo sudah kepotong. Mohon dikembalikan.", reason: "rejected"},
		{name: "Manado: nyanda lolos", subject: "promosi",
			body: "kita pe promosi nyanda lolos, mar doi so ilang. tolong kase pulang", reason: "rejected"},
		// Must not read so: regional "not" before running words; a refund
		// request turned down.
		{name: "not: Papua tra jalan sama sekali", subject: "koin",
			body: "sa pu promosi tra jalan sama sekali, koin su hilang. tolong kembalikan", reason: "technical_error"},
		{name: "not: a refund request turned down for no reason", subject: "refund",
			body: "You turned my refund request down for no reason. The promotion got only 200 views of the 5,000 estimated.", reason: "under_delivery"},
	}
	checkReasonProbes(t, cases)
}

// The kinds of heldout17-18's misses (issue 16), in other words than their
// mails: a promotion stopped by the platform for what the product is said
// to do (health, food or cure claims), and "not me who stopped it"
// (stopped_by_platform, over the technical error's "it cannot run"); an
// objective chosen and another one run, and a banner, label, sticker or
// caption on the ad the business never put there (other); "twice",
// "oneself" and "not wanted again" in regional and creole words
// (duplicate_charge, closed_early, changed_mind); someone else made to
// stop using one's video in their ads (revocation); what turned out to run
// instead of the video chosen, in a reply (wrong_video). With mails that
// must not read so. kind "" is left unchecked.
func TestReadingClaimsObjectiveRegionalProbes(t *testing.T) {
	cases := []reasonProbe{
		// Stopped for what the product claims; not stopped by the writer.
		{name: "US: pulled for unproven health claims", subject: "boost pulled",
			body: "My raw honey boost was pulled after a few hours for 'unproven health claims'. I never said it cures anything. Please refund the unused days.", reason: "stopped_by_platform"},
		{name: "UK: took my herbal tea ad down over weight-loss claims", subject: "ad",
			body: "TikTok took my herbal tea ad down over weight-loss claims after one day. Refund the rest please.", reason: "stopped_by_platform"},
		{name: "ID: jamu diturunkan karena klaim kesehatan", subject: "promosi jamu",
			body: "Promosi jamu saya diturunkan setelah 5 jam, katanya karena klaim kesehatan. Saya tidak pernah bilang jamu ini menyembuhkan penyakit. Mohon sisa saldo dikembalikan.", reason: "stopped_by_platform"},
		{name: "ID chat: madu dihapus, bukan aku yg stop", subject: "iklan madu",
			body: "kak iklan madu aku dihapus, alasannya produk mengklaim manfaat kesehatan. bukan aku yg stop. balikin sisa koinnya ya", reason: "stopped_by_platform"},
		{name: "Jamaican: mi neva stop it, unu stop it", subject: "boost",
			body: "Mi neva stop it, unu stop it after two hours. Refund di rest.", reason: "stopped_by_platform"},
		{name: "EN: it wasn't me who stopped it", subject: "promotion",
			body: "It wasn't me who stopped the promotion, it ended after 2 hours of a 5-day run. Refund the rest.", reason: "stopped_by_platform"},
		// Must not read so: turned down for claims before it ran; paused
		// by the writer with "no health claims" said.
		{name: "not: rejected for health claims before it ran", subject: "supplement ad",
			body: "My supplement ad was rejected for health claims before it ever ran. Refund my $20.", reason: "rejected"},
		{name: "not: no health claims, paused it myself", subject: "juice",
			body: "Our juice makes no health claims. I paused the promotion myself after two days since the stall closed for the holidays. Refund the rest.", reason: "closed_early"},

		// An objective chosen and another one run.
		{name: "US: profile visits chosen, ran for video views", subject: "goal",
			body: "I chose Profile visits as the goal, but the summary shows it ran for Video views. Lots of views, almost nobody opened my profile. Refund please.", reason: "other"},
		{name: "ID: kunjungan website dipilih, berubah jadi pengikut", subject: "tujuan promosi",
			body: "Saya memilih tujuan kunjungan website, tapi di ringkasan tujuannya berubah jadi pengikut. Mohon refund.", reason: "other"},
		{name: "ID chat: pilih pengikut baru, tertulis tayangan video", subject: "promo",
			body: "aku pilih pengikut baru, kok di struk tertulis tayangan video?? refund dong", reason: "other"},
		// Must not read so: the same objective, too little of it.
		{name: "not: website visits chosen and shown, too few", subject: "clicks",
			body: "I chose Website visits and the receipt says Website visits, but only 6 people clicked out of the 500 estimated. Refund.", reason: "under_delivery"},
		{name: "not: tujuan pengikut, cuma nambah 4 dari estimasi", subject: "pengikut",
			body: "Saya pilih tujuan pengikut, tapi pengikut cuma nambah 4 dari estimasi 300. Mohon refund.", reason: "under_delivery"},

		// Something on the ad the business never put there.
		{name: "AU: a 'Free delivery' sticker I never added", subject: "ad",
			body: "The ad went out with a 'Free delivery' sticker across the top that I never added, and we don't deliver. Views were fine. Please refund.", reason: "other"},
		{name: "ID: tulisan diskon yang tidak pernah kami pasang", subject: "iklan",
			body: "Di iklan saya muncul tulisan 'Diskon 30%' yang tidak pernah kami pasang. Pelanggan datang minta diskon. Mohon dana dikembalikan.", reason: "other"},
		{name: "CA: subtitles I never switched on", subject: "boost",
			body: "Subtitles appeared on my promoted video that I never switched on, and they got every word wrong. Refund please.", reason: "other"},
		// Must not read so: the platform's label missing; an old video.
		{name: "not: the Promoted label never showed, no views", subject: "nothing",
			body: "The Promoted label never showed on my ad and it got 0 views. The money was taken. Refund.", reason: "technical_error"},
		{name: "not: an old tutorial ran, not the one I picked", subject: "wrong ad",
			body: "The ad ran my old banner-making tutorial, not the one I picked. Refund please.", reason: "wrong_video"},

		// Twice, oneself, not wanted again, in regional and creole words.
		{name: "Javanese: kepotong kaping kalih", subject: "saldo",
			body: "Saldoku kepotong kaping kalih, padahal aku mung pesen sepisan. Balekno duwitku.", kind: "refund", reason: "duplicate_charge"},
		{name: "Minang: dipotong duo kali", subject: "saldo",
			body: "Saldo ambo dipotong duo kali untuak ciek promosi. Tolong dikembalikan.", kind: "refund", reason: "duplicate_charge"},
		{name: "creole: dem charge mi card two time", subject: "charge",
			body: "Dem charge mi card two time fi di same boost. Sen back mi money.", kind: "refund", reason: "duplicate_charge"},
		{name: "Javanese: tak pateni dhewe", subject: "promosi",
			body: "Promosine tak pateni dhewe dino Kemis amarga tokone tutup. Sisane tulung dibalekno.", kind: "refund", reason: "closed_early"},
		{name: "Banjar: ulun matikan saurang", subject: "promosi",
			body: "Promosinya ulun matikan saurang, tokonya tutup. Minta sisa duitnya dibulikakan.", kind: "refund", reason: "closed_early"},
		{name: "Trinidadian: ah doh want di boost again", subject: "boost",
			body: "Ah doh want di boost again, wi sell out already. It eh start yet, so cancel it and refund mi.", kind: "refund", reason: "changed_mind"},
		// Must not read so: a promotion that stopped by itself; a problem
		// not wanted again.
		{name: "not: promosine mandeg dhewe", subject: "promosi",
			body: "Promosine mandeg dhewe, dudu aku sing mateni. Tayangane mung 200 saka perkiraan 5.000. Balekno sisane.", kind: "refund", reason: "under_delivery"},
		{name: "not: don't want that to happen again", subject: "views",
			body: "The boost only got 200 of the 6,000 estimated views; I don't want that to happen again. Refund.", reason: "under_delivery"},

		// Someone else made to stop using one's video in their ads.
		{name: "EN: get them to stop running it in their ads", subject: "my reel",
			body: "Forget the money. The gym down the road is still using my workout reel in their adverts, please get them to stop running it in their ads.", kind: "revocation"},
		{name: "EN: the bakery is not to use my video any more", subject: "video",
			body: "The bakery is not to use my video any more. I never agreed to that.", kind: "revocation"},
		{name: "ID: suruh toko itu berhenti pakai video saya di iklan", subject: "video saya",
			body: "Tolong suruh toko itu berhenti pakai video saya di iklan mereka.", kind: "revocation"},
		// Must not read so: a charge to stop; the platform to stop showing
		// an old clip in the promotion.
		{name: "not: make them stop charging my card", subject: "charges",
			body: "Please make them stop charging my card, the boost ended after a day and I ended it myself. I want a refund.", kind: "refund", reason: "closed_early"},

		// A reply: what turned out to run instead of the chosen video.
		{name: "reply ID: yang ternyata dipromosikan video pameran", subject: "",
			body: "Menjawab pertanyaan Bapak: yang ternyata dipromosikan adalah video pameran tahun lalu. Kami tidak pernah memilih video pameran itu.", reply: true, reason: "wrong_video"},
		{name: "reply EN: what actually got boosted was the storm clip", subject: "",
			body: "To answer your question: what actually got boosted was the storm clip from August. We never picked that clip.", reply: true, reason: "wrong_video"},
		// Must not read so: the chosen video ran, too few views.
		{name: "not reply: the video we chose ran, too few", subject: "",
			body: "The video that was promoted is the one we chose, it just got 150 views of the 9,000 estimated.", reply: true, reason: "under_delivery"},
	}
	checkReasonProbes(t, cases)
}
