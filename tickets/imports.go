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
func (s *Service) ImportPromotions(ctx context.Context, r io.Reader, opt ImportOptions) (*ImportSummary, error) {
	start := time.Now()
	src, err := NewPromotionSource(r, opt)
	if err != nil {
		return nil, err
	}
	sum, err := s.store.ImportPromotions(ctx, src)
	if err != nil {
		return nil, err
	}
	return s.finishImport(ctx, sum, src.File(), src.Read(), start, src.Skipped)
}

// ImportAuthorizations reads an authorization export likewise.
func (s *Service) ImportAuthorizations(ctx context.Context, r io.Reader, opt ImportOptions) (*ImportSummary, error) {
	start := time.Now()
	src, err := NewAuthorizationSource(r, opt)
	if err != nil {
		return nil, err
	}
	sum, err := s.store.ImportAuthorizations(ctx, src)
	if err != nil {
		return nil, err
	}
	return s.finishImport(ctx, sum, src.File(), src.Read(), start, src.Skipped)
}

func (s *Service) finishImport(ctx context.Context, sum *ImportSummary, file string, read int, start time.Time,
	skipped func() ([]LineError, int)) (*ImportSummary, error) {
	bad, n := skipped()
	sum.File = file
	sum.Read = read
	sum.Skipped += n
	sum.SkippedRow = append(bad, sum.SkippedRow...)
	if len(sum.SkippedRow) > MaxListedErrors {
		sum.SkippedRow = sum.SkippedRow[:MaxListedErrors]
	}
	re, err := s.ReevaluateStale(ctx)
	sum.Reevaluated = re
	sum.Duration = time.Since(start)
	if err != nil {
		return sum, fmt.Errorf("the import is in; computing verdicts again stopped (run the import again to finish): %w", err)
	}
	return sum, nil
}
