package sqlstore

// PreparedForPool counts the statements ready in the pool's cache.
func PreparedForPool(d *DB) int {
	d.prepared.mu.Lock()
	defer d.prepared.mu.Unlock()
	n := 0
	for _, s := range d.prepared.stmts {
		if s != nil {
			n++
		}
	}
	return n
}
