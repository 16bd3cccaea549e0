// Package templates holds the messages refunddesk sends to requesters, in
// Indonesian and English, as embedded templates parsed once at start-up.
package templates
