package tickets

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

//go:embed policy.toml
var defaultPolicyTOML []byte

// Policy holds every number and switch the eligibility rules use.
type Policy struct {
	WindowDays       int              `toml:"window_days" json:"window_days"`
	AutoApproveBelow AutoApproveLimit `toml:"auto_approve_below" json:"auto_approve_below"`
	UnderDelivery    struct {
		ThresholdPercent int64 `toml:"threshold_percent" json:"threshold_percent"`
		RequireEvidence  bool  `toml:"require_evidence" json:"require_evidence"`
	} `toml:"under_delivery" json:"under_delivery"`
	TechnicalError struct {
		RequireEvidence bool `toml:"require_evidence" json:"require_evidence"`
	} `toml:"technical_error" json:"technical_error"`
	DuplicateCharge struct {
		Window          Duration `toml:"window" json:"window"`
		RequireEvidence bool     `toml:"require_evidence" json:"require_evidence"`
	} `toml:"duplicate_charge" json:"duplicate_charge"`
	NonRefundable struct {
		Reasons []Reason `toml:"reasons" json:"reasons"`
	} `toml:"non_refundable" json:"non_refundable"`
}

// AutoApproveLimit is the auto-approval threshold per currency, written as
// every amount is, in the currency's major units with its decimals ("50000"
// rupiah, "5.00" dollars). The key "*" applies to every currency without an
// entry of its own, in whole units of each. Empty = off.
type AutoApproveLimit map[string]string

// UnmarshalTOML accepts one amount (every currency) or a table per currency;
// an amount is a string ("5.50"), an integer or a float, read as written.
// Anything else is kept as Go prints it, for Validate to say which is
// wrong and why (with codes: the TOML decoder would keep only the text of
// an error returned here).
func (l *AutoApproveLimit) UnmarshalTOML(v any) error {
	out := AutoApproveLimit{}
	switch v := v.(type) {
	case map[string]any:
		for cur, n := range v {
			text, ok := amountText(n)
			if !ok {
				text = fmt.Sprint(n)
			}
			if cur != "*" {
				cur = strings.ToUpper(cur)
			}
			out[cur] = canonicalLimit(cur, text)
		}
	default:
		text, ok := amountText(v)
		if !ok {
			text = fmt.Sprint(v)
		}
		if text = canonicalLimit("*", text); text != "0" {
			out["*"] = text
		}
	}
	*l = out
	return nil
}

// amountText is an amount of a TOML file as it was written: a float's
// shortest decimal form is the literal that was typed (12.50 is "12.5").
func amountText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// canonicalLimit writes a valid limit with the currency's decimals ("5" is
// "5.00" for USD); an invalid one stays as written, for Validate to name.
func canonicalLimit(cur, text string) string {
	if cur == "*" {
		if n, err := strconv.ParseUint(strings.TrimSpace(text), 10, 63); err == nil {
			return strconv.FormatUint(n, 10)
		}
		return text
	}
	if n, err := ParseAmount(text, cur); err == nil {
		return FormatAmount(n, cur)
	}
	return text
}

// check says what is wrong with the entry for key, if anything: a
// *ValidationError of the field auto_approve_below.<key>.
func (l AutoApproveLimit) check(key string) error {
	field := "auto_approve_below." + key
	text := strings.TrimSpace(l[key])
	if strings.HasPrefix(text, "-") {
		return Invalid(field, "number.negative", "Value", text)
	}
	if key != "*" && (len(key) != 3 || strings.ContainsFunc(key, func(r rune) bool { return r < 'A' || r > 'Z' })) {
		return Invalid(field, "currency.invalid", "Value", key)
	}
	if key == "*" {
		if _, err := strconv.ParseUint(text, 10, 63); err != nil {
			return Invalid(field, "amount.every_currency_whole", "Value", text)
		}
		return nil
	}
	if _, err := ParseAmount(text, key); err != nil {
		return refield(field, err)
	}
	return nil
}

// Limit returns the threshold for currency in minor units, and whether
// auto-approval is on for it.
func (l AutoApproveLimit) Limit(currency string) (int64, bool) {
	cur := strings.ToUpper(currency)
	if text, ok := l[cur]; ok {
		n, err := ParseAmount(text, cur)
		return n, err == nil && n > 0
	}
	text, ok := l["*"]
	if !ok {
		return 0, false
	}
	units, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || units <= 0 {
		return 0, false
	}
	n := units
	for i := 0; i < CurrencyExponent(cur); i++ {
		if n > math.MaxInt64/10 {
			return math.MaxInt64, true
		}
		n *= 10
	}
	return n, true
}

// Duration is a time.Duration written as "10m", "36h" in TOML and JSON.
type Duration struct{ time.Duration }

// UnmarshalText parses a duration; "d" (days) is accepted besides Go's units.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration in Go's notation.
func (d Duration) MarshalText() ([]byte, error) { return []byte(FormatDuration(d.Duration)), nil }

// ParseDuration reads Go durations and also whole days and weeks ("2d", "1w").
// A wrong one is a *ValidationError (duration.unreadable, .negative,
// .too_long, with the Value as given).
func ParseDuration(s string) (time.Duration, error) {
	d, bad := parseDuration(s)
	s = strings.TrimSpace(s)
	switch bad {
	case durationUnreadable:
		return 0, Invalid("", "duration.unreadable", "Value", s)
	case durationNegative:
		return 0, Invalid("", "duration.negative", "Value", s)
	case durationTooLong:
		return 0, Invalid("", "duration.too_long", "Value", s)
	}
	return d, nil
}

// What is wrong with a duration, for its reader to name as it needs.
type durationProblem int

const (
	durationOK durationProblem = iota
	durationUnreadable
	durationNegative
	durationTooLong
)

func parseDuration(s string) (time.Duration, durationProblem) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		if days, err := strconv.ParseInt(s[:n-1], 10, 64); err == nil && strconv.FormatInt(days, 10) == s[:n-1] && days >= 0 {
			if days > 100*365 || s[n-1] == 'w' && days > 100*365/7 {
				return 0, durationTooLong
			}
			if s[n-1] == 'w' {
				days *= 7
			}
			return time.Duration(days) * 24 * time.Hour, durationOK
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, durationUnreadable
	}
	if d < 0 {
		return 0, durationNegative
	}
	return d, durationOK
}

// FormatDuration writes whole days as "2d", everything else in Go's notation.
func FormatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// DefaultPolicy returns the default policy (docs/design.md's table).
func DefaultPolicy() *Policy {
	p := &Policy{}
	if _, err := toml.NewDecoder(bytes.NewReader(defaultPolicyTOML)).Decode(p); err != nil {
		panic(fmt.Sprintf("embedded policy.toml: %v", err)) // a build defect, caught by tests
	}
	return p
}

// LoadPolicy reads the default policy and then the file at path over it, so a
// file only needs the keys it changes. An unknown key is an error that names it.
func LoadPolicy(path string) (*Policy, error) {
	p := DefaultPolicy()
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(p)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("policy %s: %w", path, Invalid("policy", "policy.unknown_key", "Keys", strings.Join(keys, ", ")))
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// Validate checks every number is in range.
func (p *Policy) Validate() error {
	var errs ValidationErrors
	if p.WindowDays < 0 {
		errs.add("window_days", "number.negative", "Value", p.WindowDays)
	}
	curs := make([]string, 0, len(p.AutoApproveBelow))
	for cur := range p.AutoApproveBelow {
		curs = append(curs, cur)
	}
	sort.Strings(curs)
	for _, cur := range curs {
		errs.collect(p.AutoApproveBelow.check(cur))
	}
	if t := p.UnderDelivery.ThresholdPercent; t < 1 || t > 100 {
		errs.add("under_delivery.threshold_percent", "percent.out_of_range", "Value", t)
	}
	if p.DuplicateCharge.Window.Duration <= 0 {
		errs.add("duplicate_charge.window", "duration.not_positive")
	}
	for _, r := range p.NonRefundable.Reasons {
		if _, err := ParseReason(string(r)); err != nil || r == "" {
			errs.add("non_refundable.reasons", "reason.unknown", "Value", string(r), "Allowed", joinEnum(Reasons))
		}
	}
	return errs.err()
}

// NonRefundableReason reports whether r never gets money back.
func (p *Policy) NonRefundableReason(r Reason) bool {
	for _, x := range p.NonRefundable.Reasons {
		if x == r {
			return true
		}
	}
	return false
}

// TOML writes the policy in force as a TOML document.
func (p *Policy) TOML() (string, error) {
	var buf bytes.Buffer
	buf.WriteString("# refund policy in force\n")
	fmt.Fprintf(&buf, "window_days = %d\n\n", p.WindowDays)
	buf.WriteString("[auto_approve_below]\n")
	curs := make([]string, 0, len(p.AutoApproveBelow))
	for c := range p.AutoApproveBelow {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	if len(curs) == 0 {
		buf.WriteString("# off\n")
	}
	for _, c := range curs {
		key := c
		if c == "*" {
			key = `"*"`
		}
		fmt.Fprintf(&buf, "%s = %s\n", key, strconv.Quote(p.AutoApproveBelow[c]))
	}
	rest := struct {
		UnderDelivery   any `toml:"under_delivery"`
		TechnicalError  any `toml:"technical_error"`
		DuplicateCharge any `toml:"duplicate_charge"`
		NonRefundable   any `toml:"non_refundable"`
	}{p.UnderDelivery, p.TechnicalError, p.DuplicateCharge, p.NonRefundable}
	buf.WriteString("\n")
	if err := toml.NewEncoder(&buf).Encode(rest); err != nil {
		return "", err
	}
	return buf.String(), nil
}
