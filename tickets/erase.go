package tickets

// EraseStore erases a requester's personal data.
type EraseStore interface{}
