package tickets

import (
	"context"
	"fmt"
	"io"
	"time"
)

// ImportPromotions reads a promotion export (CSV or JSON Lines) and loads it
// in one transaction; then the tickets of changed orders get their verdicts
// computed again. Bad rows refuse the whole import (nothing is written)
// unless opt.SkipInvalid, and are listed file:line: reason either way.
func (r *Records) ImportPromotions(ctx context.Context, src io.Reader, opt ImportOptions) (*ImportSummary, error) {
	start := time.Now()
	rows, err := NewPromotionSource(src, opt)
	if err != nil {
		return nil, err
	}
	sum, err := r.store.ImportPromotions(ctx, rows)
	if err != nil {
		return nil, err
	}
	return r.finishImport(ctx, sum, rows.File(), rows.Read(), start, rows.Skipped)
}

// ImportAuthorizations reads an authorization export likewise.
func (r *Records) ImportAuthorizations(ctx context.Context, src io.Reader, opt ImportOptions) (*ImportSummary, error) {
	start := time.Now()
	rows, err := NewAuthorizationSource(src, opt)
	if err != nil {
		return nil, err
	}
	sum, err := r.store.ImportAuthorizations(ctx, rows)
	if err != nil {
		return nil, err
	}
	return r.finishImport(ctx, sum, rows.File(), rows.Read(), start, rows.Skipped)
}

func (r *Records) finishImport(ctx context.Context, sum *ImportSummary, file string, read int, start time.Time,
	skipped func() ([]LineError, int)) (*ImportSummary, error) {
	bad, n := skipped()
	sum.File = file
	sum.Read = read
	sum.Skipped += n
	sum.SkippedRow = append(bad, sum.SkippedRow...)
	if len(sum.SkippedRow) > MaxListedErrors {
		sum.SkippedRow = sum.SkippedRow[:MaxListedErrors]
	}
	re, err := r.ReevaluateStale(ctx)
	sum.Reevaluated = re
	sum.Duration = time.Since(start)
	if err != nil {
		return sum, fmt.Errorf("the import is in; computing verdicts again stopped (run the import again to finish): %w", err)
	}
	return sum, nil
}
