package tickets

import (
	"fmt"
	"strings"
)

// Action is something an agent does to a ticket.
type Action string

const (
	ActionClaim   Action = "claim"
	ActionAssign  Action = "assign"
	ActionNote    Action = "note"
	ActionReply   Action = "reply"
	ActionAsk     Action = "ask"
	ActionApprove Action = "approve"
	ActionDeny    Action = "deny"
	ActionForward Action = "forward"
	ActionResolve Action = "resolve"
	ActionClose   Action = "close"
	ActionReopen  Action = "reopen"
)

// Actions lists every agent action.
var Actions = []Action{ActionClaim, ActionAssign, ActionNote, ActionReply, ActionAsk,
	ActionApprove, ActionDeny, ActionForward, ActionResolve, ActionClose, ActionReopen}

// ParseAction validates an action name.
func ParseAction(s string) (Action, error) {
	for _, a := range Actions {
		if string(a) == s {
			return a, nil
		}
	}
	return "", Invalid("action", "action.unknown", "Value", s, "Allowed", joinEnum(Actions))
}

// openStatuses are the statuses before resolved and closed.
var openStatuses = []Status{StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform, StatusApproved, StatusDenied}

// allowedFrom is the state machine: for each action, the statuses it may be
// taken from. Where the action moves the ticket is decided by Transition.
var allowedFrom = map[Action][]Status{
	ActionClaim:   openStatuses,
	ActionAssign:  openStatuses,
	ActionNote:    Statuses,
	ActionReply:   {StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform, StatusApproved, StatusDenied, StatusResolved},
	ActionAsk:     {StatusNew, StatusNeedsInfo, StatusInReview},
	ActionApprove: {StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform},
	ActionDeny:    {StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform},
	ActionForward: {StatusNew, StatusNeedsInfo, StatusInReview},
	ActionResolve: {StatusApproved, StatusWaitingPlatform},
	ActionClose:   {StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform, StatusApproved, StatusDenied, StatusResolved},
	ActionReopen:  {StatusDenied, StatusResolved, StatusClosed},
}

// Transition returns the status a ticket of kind k in status from moves to
// when action is taken, or a conflict error saying why it cannot be taken.
func Transition(k Kind, from Status, action Action) (Status, error) {
	allowed := false
	for _, s := range allowedFrom[action] {
		if s == from {
			allowed = true
			break
		}
	}
	if !allowed {
		return from, conflict("action.not_allowed", "Action", string(action), "Status", string(from), "From", joinEnum(allowedFrom[action]))
	}
	switch action {
	case ActionAsk:
		return StatusNeedsInfo, nil
	case ActionApprove:
		if k == KindRevocation {
			if from == StatusWaitingPlatform {
				return from, conflict("revocation.already_forwarded")
			}
			// Approving a revocation forwards it: the platform does the work.
			return StatusWaitingPlatform, nil
		}
		return StatusApproved, nil
	case ActionDeny:
		return StatusDenied, nil
	case ActionForward:
		return StatusWaitingPlatform, nil
	case ActionResolve:
		if k == KindRefund && from == StatusWaitingPlatform {
			return from, conflict("refund.waiting_platform")
		}
		return StatusResolved, nil
	case ActionClose:
		return StatusClosed, nil
	case ActionReopen:
		return StatusInReview, nil
	}
	return from, nil // claim, assign, note, reply keep the status
}

// TransitionTable describes the state machine in words, for docs/design.md and
// `refunddesk help`.
func TransitionTable() string {
	var b strings.Builder
	for _, a := range Actions {
		fmt.Fprintf(&b, "%-8s from %s\n", a, joinEnum(allowedFrom[a]))
	}
	return b.String()
}
