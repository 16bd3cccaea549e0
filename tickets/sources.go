package tickets

// Source says where a field of a request came from, so that the verdict and
// the agent can tell what the requester wrote from what the desk worked out.
type Source string

const (
	SourceText      Source = "text"      // the requester's own words (or a form's field)
	SourceSignature Source = "signature" // their signature or sign-off
	SourceForwarded Source = "forwarded" // a message they forwarded (a platform's notification)
	SourceRecord    Source = "record"    // the order's record: the requester did not give it
)

// Sources maps a request's field (account, order, reason, kind) to where it
// came from; a field not in it came from the requester's own words.
type Sources map[string]Source
