// Command refunddesk is a support desk for refund and authorization-revocation
// requests on paid video promotions. See docs/cli.md for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	m := NewMain()
	code := m.Run(ctx, os.Args[1:])
	if err := m.Close(); err != nil && code == 0 {
		code = 1
	}
	stop()
	os.Exit(code)
}
