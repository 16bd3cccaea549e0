package tickets

// ExportStore reads everything the desk keeps about one requester.
type ExportStore interface{}
