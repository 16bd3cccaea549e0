package tickets

// RetentionStore removes what closed tickets keep once its time is up.
type RetentionStore interface{}
