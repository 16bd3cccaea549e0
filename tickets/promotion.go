package tickets

import "time"

// PromotionStatus is where a paid promotion stands on the platform.
type PromotionStatus string

const (
	PromoInReview          PromotionStatus = "in_review"
	PromoRejected          PromotionStatus = "rejected"
	PromoRunning           PromotionStatus = "running"
	PromoClosed            PromotionStatus = "closed" // stopped early by the creator
	PromoCompleted         PromotionStatus = "completed"
	PromoStoppedByPlatform PromotionStatus = "stopped_by_platform"
)

// PromotionStatuses lists every promotion status.
var PromotionStatuses = []PromotionStatus{PromoInReview, PromoRejected, PromoRunning,
	PromoClosed, PromoCompleted, PromoStoppedByPlatform}

// Objectives a promotion can be bought for.
var Objectives = []string{"views", "followers", "profile_visits", "website_visits", "purchases"}

// PaymentMethods a promotion can be paid with.
var PaymentMethods = []string{"wallet", "coins", "card"}

// Promotion is one paid order, as imported from the platform's exports.
// Amounts are integer minor units of Currency.
type Promotion struct {
	OrderNumber    string          `json:"order_number"`
	Account        string          `json:"account"`
	VideoID        string          `json:"video_id"`
	Objective      string          `json:"objective"`
	Amount         int64           `json:"amount"`
	Currency       string          `json:"currency"`
	PaymentMethod  string          `json:"payment_method"`
	CreatedAt      time.Time       `json:"created_at"`
	StartAt        *time.Time      `json:"start_at"`
	EndAt          *time.Time      `json:"end_at"`
	ClosedAt       *time.Time      `json:"closed_at"`
	Status         PromotionStatus `json:"status"`
	PromisedReach  int64           `json:"promised_reach"`
	DeliveredReach int64           `json:"delivered_reach"`
	Spend          int64           `json:"spend"`
	Incident       bool            `json:"incident"`
	Refunded       int64           `json:"refunded"`
	ImportedAt     time.Time       `json:"imported_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// EndedAt is when the promotion stopped running for the refund window: the
// earliest of its end and its close, or its creation when it was rejected.
// ok is false while it has not ended.
func (p *Promotion) EndedAt() (at time.Time, ok bool) {
	if p.Status == PromoRejected {
		return p.CreatedAt, true
	}
	if p.EndAt != nil {
		at, ok = *p.EndAt, true
	}
	if p.ClosedAt != nil && (!ok || p.ClosedAt.Before(at)) {
		at, ok = *p.ClosedAt, true
	}
	return at, ok
}

// Remaining is what is left to refund: amount minus what was refunded already.
func (p *Promotion) Remaining() int64 {
	if r := p.Amount - p.Refunded; r > 0 {
		return r
	}
	return 0
}

// Authorization is an account's permission for the platform to promote its
// content: the whole account, or one video.
type Authorization struct {
	Account   string     `json:"account"`
	Scope     string     `json:"scope"` // "account", "video" or "video:<id>"
	GrantedAt time.Time  `json:"granted_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Active reports whether the authorization has not been revoked.
func (a *Authorization) Active() bool { return a.RevokedAt == nil }

// PromotionDetail is a record and the tickets linked to it.
type PromotionDetail struct {
	Promotion
	Tickets []Ticket `json:"tickets"`
}
