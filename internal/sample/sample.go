// Package sample generates realistic promotion records, authorizations and
// requests: the demo's data, the tests' fixtures and the benchmarks' load.
// The same seed gives the same data.
package sample

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"refunddesk/tickets"
)

// FirstOrder is the first generated order number; orders count up from it.
const FirstOrder int64 = 7301234567890000000

// OrderNumber returns the i-th generated order number.
func OrderNumber(i int) string { return strconv.FormatInt(FirstOrder+int64(i)*7, 10) }

var syllables = []string{"ra", "di", "sa", "ni", "ko", "tu", "ma", "ya", "bi", "lo", "an", "ta", "ri", "wu", "na", "ge"}

// Account returns the i-th generated account name.
func Account(i int) string {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	name := ""
	for j := 0; j < 2+r.IntN(2); j++ {
		name += syllables[r.IntN(len(syllables))]
	}
	return fmt.Sprintf("@%s_%d", name, i)
}

// Options shape generated promotions.
type Options struct {
	Seed int64
	// Now is the time the data is generated for; promotions end up to
	// Days before it (some still running).
	Now  time.Time
	Days int
	// Accounts is how many distinct creators there are (default n/4).
	Accounts int
}

// Promotions calls fn with n generated promotions: a mix of statuses,
// objectives, currencies, under-delivered orders, incidents, rejected and
// platform-stopped orders, and twin orders (a duplicate charge) now and then.
func Promotions(n int, opt Options, fn func(i int, p *tickets.Promotion) error) error {
	if opt.Days <= 0 {
		opt.Days = 90
	}
	if opt.Accounts <= 0 {
		opt.Accounts = max(n/4, 1)
	}
	r := rand.New(rand.NewPCG(uint64(opt.Seed), 0xad5))
	objectives := tickets.Objectives
	methods := tickets.PaymentMethods
	var prev tickets.Promotion
	for i := 0; i < n; i++ {
		p := tickets.Promotion{OrderNumber: OrderNumber(i)}
		if i > 0 && r.IntN(100) == 0 {
			// A twin of the previous order: charged twice within minutes.
			p = prev
			p.OrderNumber = OrderNumber(i)
			p.CreatedAt = prev.CreatedAt.Add(time.Duration(1+r.IntN(8)) * time.Minute)
			p.Refunded = 0
		} else {
			p.Account = Account(r.IntN(opt.Accounts))
			p.VideoID = strconv.FormatInt(7300000000000000000+r.Int64N(99999999999), 10)
			p.Objective = objectives[r.IntN(len(objectives))]
			p.PaymentMethod = methods[r.IntN(len(methods))]
			if r.IntN(10) < 8 {
				p.Currency = "IDR"
				p.Amount = int64(10+r.IntN(490)) * 1000
			} else {
				p.Currency = "USD"
				p.Amount = int64(3+r.IntN(200)) * 100
			}
			days := 1 + r.IntN(7)
			created := opt.Now.Add(-time.Duration(r.IntN(opt.Days*24*60)) * time.Minute).Truncate(time.Second)
			p.CreatedAt = created
			start := created.Add(time.Duration(10+r.IntN(120)) * time.Minute)
			end := start.Add(time.Duration(days) * 24 * time.Hour)
			p.PromisedReach = int64(1000 * (1 + r.IntN(100)))
			switch k := r.IntN(100); {
			case k < 3:
				p.Status = tickets.PromoRejected
			case k < 8:
				p.Status = tickets.PromoInReview
			case k < 12:
				p.Status = tickets.PromoStoppedByPlatform
				p.StartAt = &start
				stop := start.Add(time.Duration(r.IntN(days*24)) * time.Hour)
				p.ClosedAt = &stop
				p.Spend = p.Amount * int64(r.IntN(90)) / 100
				p.DeliveredReach = p.PromisedReach * int64(r.IntN(90)) / 100
			case k < 20:
				p.Status = tickets.PromoClosed
				p.StartAt, p.EndAt = &start, &end
				stop := start.Add(time.Duration(r.IntN(days*24)) * time.Hour)
				p.ClosedAt = &stop
				p.Spend = p.Amount * int64(r.IntN(100)) / 100
				p.DeliveredReach = p.PromisedReach * int64(r.IntN(100)) / 100
			default:
				p.StartAt, p.EndAt = &start, &end
				if end.After(opt.Now) {
					p.Status = tickets.PromoRunning
				} else {
					p.Status = tickets.PromoCompleted
				}
				p.Spend = p.Amount
				switch d := r.IntN(100); {
				case d < 15: // badly under-delivered
					p.DeliveredReach = p.PromisedReach * int64(r.IntN(75)) / 100
				case d < 18: // nothing at all
					p.DeliveredReach = 0
				default:
					p.DeliveredReach = p.PromisedReach * int64(80+r.IntN(60)) / 100
				}
			}
			p.Incident = r.IntN(50) == 0
			if r.IntN(40) == 0 {
				p.Refunded = p.Amount / int64(1+r.IntN(3))
			}
		}
		prev = p
		if err := fn(i, &p); err != nil {
			return err
		}
	}
	return nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func promotionRecord(p *tickets.Promotion) []string {
	return []string{p.OrderNumber, p.Account, p.VideoID, p.Objective, strconv.FormatInt(p.Amount, 10), p.Currency,
		p.PaymentMethod, fmtTime(&p.CreatedAt), fmtTime(p.StartAt), fmtTime(p.EndAt), fmtTime(p.ClosedAt), string(p.Status),
		strconv.FormatInt(p.PromisedReach, 10), strconv.FormatInt(p.DeliveredReach, 10), strconv.FormatInt(p.Spend, 10),
		strconv.FormatBool(p.Incident), strconv.FormatInt(p.Refunded, 10)}
}

// WritePromotionsCSV writes n generated promotions as a CSV export.
func WritePromotionsCSV(w io.Writer, n int, opt Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(tickets.PromotionColumns); err != nil {
		return err
	}
	if err := Promotions(n, opt, func(_ int, p *tickets.Promotion) error { return cw.Write(promotionRecord(p)) }); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WritePromotionsJSONL writes n generated promotions as JSON Lines.
func WritePromotionsJSONL(w io.Writer, n int, opt Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	err := Promotions(n, opt, func(_ int, p *tickets.Promotion) error {
		rec := promotionRecord(p)
		obj := make(map[string]any, len(rec))
		for i, c := range tickets.PromotionColumns {
			obj[c] = rec[i]
		}
		return enc.Encode(obj)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WriteAuthorizationsCSV writes authorizations for the first n accounts:
// most active, some revoked already.
func WriteAuthorizationsCSV(w io.Writer, n int, opt Options) error {
	r := rand.New(rand.NewPCG(uint64(opt.Seed), 0xa17))
	cw := csv.NewWriter(w)
	if err := cw.Write(tickets.AuthorizationColumns); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		granted := opt.Now.Add(-time.Duration(24*(30+r.IntN(300))) * time.Hour).Truncate(time.Second)
		scope := "account"
		if r.IntN(4) == 0 {
			scope = "video:" + strconv.FormatInt(7300000000000000000+r.Int64N(99999999999), 10)
		}
		revoked := ""
		if r.IntN(5) == 0 {
			revoked = granted.Add(time.Duration(24*(1+r.IntN(20))) * time.Hour).UTC().Format(time.RFC3339)
		}
		if err := cw.Write([]string{Account(i), scope, granted.UTC().Format(time.RFC3339), revoked}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
