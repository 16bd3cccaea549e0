package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Short names for the expected table; sNo = refused.
const (
	sNew = StatusNew
	sNI  = StatusNeedsInfo
	sIR  = StatusInReview
	sWP  = StatusWaitingPlatform
	sAP  = StatusApproved
	sDN  = StatusDenied
	sRS  = StatusResolved
	sCL  = StatusClosed
	sNo  = Status("")
)

// tableStatuses is the column order of transitionTable.
var tableStatuses = [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sRS, sCL}

// transitionTable is the state machine as the design describes it: for each
// action and kind, where a ticket in each status goes (sNo: refused).
var transitionTable = []struct {
	action     Action
	refund     [8]Status
	revocation [8]Status
}{
	//                   new  needs_info in_review waiting_platform approved denied resolved closed
	{ActionClaim, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sNo, sNo}, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sNo, sNo}},
	{ActionAssign, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sNo, sNo}, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sNo, sNo}},
	{ActionNote, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sRS, sCL}, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sRS, sCL}},
	{ActionReply, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sRS, sNo}, [8]Status{sNew, sNI, sIR, sWP, sAP, sDN, sRS, sNo}},
	{ActionAsk, [8]Status{sNI, sNI, sNI, sNo, sNo, sNo, sNo, sNo}, [8]Status{sNI, sNI, sNI, sNo, sNo, sNo, sNo, sNo}},
	{ActionApprove, [8]Status{sAP, sAP, sAP, sAP, sNo, sNo, sNo, sNo}, [8]Status{sWP, sWP, sWP, sNo, sNo, sNo, sNo, sNo}},
	{ActionDeny, [8]Status{sDN, sDN, sDN, sDN, sNo, sNo, sNo, sNo}, [8]Status{sDN, sDN, sDN, sDN, sNo, sNo, sNo, sNo}},
	{ActionForward, [8]Status{sWP, sWP, sWP, sNo, sNo, sNo, sNo, sNo}, [8]Status{sWP, sWP, sWP, sNo, sNo, sNo, sNo, sNo}},
	{ActionResolve, [8]Status{sNo, sNo, sNo, sNo, sRS, sNo, sNo, sNo}, [8]Status{sNo, sNo, sNo, sRS, sRS, sNo, sNo, sNo}},
	{ActionClose, [8]Status{sCL, sCL, sCL, sCL, sCL, sCL, sCL, sNo}, [8]Status{sCL, sCL, sCL, sCL, sCL, sCL, sCL, sNo}},
	{ActionReopen, [8]Status{sNo, sNo, sNo, sNo, sNo, sIR, sIR, sIR}, [8]Status{sNo, sNo, sNo, sNo, sNo, sIR, sIR, sIR}},
}

func TestTransitionTableCoversEverything(t *testing.T) {
	if !slices.Equal(tableStatuses[:], Statuses) {
		t.Fatalf("Statuses = %v, the test table assumes %v", Statuses, tableStatuses)
	}
	var actions []Action
	for _, row := range transitionTable {
		actions = append(actions, row.action)
	}
	if !slices.Equal(actions, Actions) {
		t.Fatalf("Actions = %v, the test table has %v", Actions, actions)
	}
}

func TestTransition(t *testing.T) {
	allowed, refused := 0, 0
	for _, row := range transitionTable {
		for _, k := range Kinds {
			targets := row.refund
			if k == KindRevocation {
				targets = row.revocation
			}
			for i, from := range tableStatuses {
				want := targets[i]
				t.Run(fmt.Sprintf("%s/%s/%s", row.action, k, from), func(t *testing.T) {
					got, err := Transition(k, from, row.action)
					if want != sNo {
						allowed++
						if err != nil {
							t.Fatalf("Transition(%s, %s, %s) refused: %v; want %s", k, from, row.action, err, want)
						}
						if got != want {
							t.Fatalf("Transition(%s, %s, %s) = %s, want %s", k, from, row.action, got, want)
						}
						return
					}
					refused++
					if err == nil {
						t.Fatalf("Transition(%s, %s, %s) = %s, want it refused", k, from, row.action, got)
					}
					if !errors.Is(err, ErrConflict) {
						t.Errorf("err %v does not wrap ErrConflict", err)
					}
					if IsValidation(err) {
						t.Errorf("err %v is a validation error, want a conflict", err)
					}
					if got != from {
						t.Errorf("refused transition returned status %s, want the unchanged %s", got, from)
					}
					msg := err.Error()
					why := strings.TrimSuffix(msg, ": "+ErrConflict.Error())
					if why == msg || strings.TrimSpace(why) == "" {
						t.Errorf("err %q does not say why before %q", msg, ErrConflict)
					}
					switch {
					case k == KindRevocation && row.action == ActionApprove && from == StatusWaitingPlatform:
						if want := "revocation.already_forwarded"; why != want {
							t.Errorf("why = %q, want %q", why, want)
						}
					case k == KindRefund && row.action == ActionResolve && from == StatusWaitingPlatform:
						if want := "refund.waiting_platform"; why != want {
							t.Errorf("why = %q, want %q", why, want)
						}
					default:
						prefix := fmt.Sprintf("action.not_allowed (Action=%q From=", row.action)
						if !strings.HasPrefix(why, prefix) {
							t.Errorf("why = %q, want it to start with %q", why, prefix)
						}
						// The list of statuses it is allowed from matches the table
						// (for refunds, whose rows hold every status allowed).
						var allowed []string
						for j, s := range row.refund {
							if s != sNo {
								allowed = append(allowed, string(tableStatuses[j]))
							}
						}
						if row.action == ActionResolve {
							allowed = []string{string(StatusApproved), string(StatusWaitingPlatform)}
						}
						if want := fmt.Sprintf("%s%q Status=%q)", prefix, strings.Join(allowed, ", "), from); why != want {
							t.Errorf("why = %q, want %q", why, want)
						}
					}
				})
			}
		}
	}
	if total := len(Actions) * len(Statuses) * len(Kinds); allowed+refused != total {
		t.Errorf("checked %d pairs, want %d", allowed+refused, total)
	}
}

func TestTransitionUnknownAction(t *testing.T) {
	for _, a := range []Action{"", "fly", "Approve"} {
		got, err := Transition(KindRefund, StatusNew, a)
		if err == nil {
			t.Errorf("Transition(%q) = %s, want it refused", a, got)
			continue
		}
		if got != StatusNew {
			t.Errorf("Transition(%q) returned %s, want new", a, got)
		}
	}
}

func TestTransitionParseAction(t *testing.T) {
	for _, a := range Actions {
		got, err := ParseAction(string(a))
		if err != nil || got != a {
			t.Errorf("ParseAction(%q) = %q, %v", a, got, err)
		}
	}
	for _, s := range []string{"", "Approve", "approve ", "refund"} {
		_, err := ParseAction(s)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "action" {
			t.Errorf("ParseAction(%q) err = %v, want a validation error on action", s, err)
			continue
		}
		if want := fmt.Sprintf("action.unknown (Allowed=%q Value=%q)", "claim, assign, note, reply, ask, approve, deny, forward, resolve, close, reopen", s); describeCode(ve.Code, ve.Params) != want {
			t.Errorf("ParseAction(%q) problem = %q, want %q", s, describeCode(ve.Code, ve.Params), want)
		}
	}
}

func TestTransitionTableText(t *testing.T) {
	want := strings.Join([]string{
		"claim    from new, needs_info, in_review, waiting_platform, approved, denied",
		"assign   from new, needs_info, in_review, waiting_platform, approved, denied",
		"note     from new, needs_info, in_review, waiting_platform, approved, denied, resolved, closed",
		"reply    from new, needs_info, in_review, waiting_platform, approved, denied, resolved",
		"ask      from new, needs_info, in_review",
		"approve  from new, needs_info, in_review, waiting_platform",
		"deny     from new, needs_info, in_review, waiting_platform",
		"forward  from new, needs_info, in_review",
		"resolve  from approved, waiting_platform",
		"close    from new, needs_info, in_review, waiting_platform, approved, denied, resolved",
		"reopen   from denied, resolved, closed",
	}, "\n") + "\n"
	if got := TransitionTable(); got != want {
		t.Errorf("TransitionTable() =\n%s\nwant\n%s", got, want)
	}
}

func TestTransitionStatusHelpers(t *testing.T) {
	cases := []struct {
		s                        Status
		open, waiting, undecided bool
	}{
		{StatusNew, true, true, true},
		{StatusNeedsInfo, true, false, true},
		{StatusInReview, true, true, true},
		{StatusWaitingPlatform, true, false, false},
		{StatusApproved, true, false, false},
		{StatusDenied, true, false, false},
		{StatusResolved, false, false, false},
		{StatusClosed, false, false, false},
	}
	for _, c := range cases {
		if got := c.s.Open(); got != c.open {
			t.Errorf("%s.Open() = %v", c.s, got)
		}
		if got := c.s.WaitingOnAgents(); got != c.waiting {
			t.Errorf("%s.WaitingOnAgents() = %v", c.s, got)
		}
		if got := c.s.Undecided(); got != c.undecided {
			t.Errorf("%s.Undecided() = %v", c.s, got)
		}
	}
}
