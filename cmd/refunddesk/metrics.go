package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"refunddesk/bot"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// metrics are serve's Prometheus metrics, on a registry of their own.
type metrics struct {
	reg          *prometheus.Registry
	mailTaken    *prometheus.CounterVec
	intakeLag    prometheus.Gauge
	intakePass   prometheus.Gauge
	delivered    *prometheus.CounterVec
	followupsRun *prometheus.CounterVec
	interactions prometheus.Histogram
	smtpOK       prometheus.Gauge
	smtpFailures *prometheus.CounterVec
	// retention: what it removed, and when this instance's last run ended well (retention_cmd.go).
	retentionRemoved *prometheus.CounterVec
	retentionRun     prometheus.Gauge
}

// outboxChannels are the outbox's channels: the requesters' and the bot's
// for the agents.
func outboxChannels() []tickets.Channel {
	return []tickets.Channel{tickets.ChannelEmail, tickets.ChannelDiscord, bot.ChannelCard, bot.ChannelAlert}
}

func newMetrics(svc *tickets.Service, log *slog.Logger) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		mailTaken: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refunddesk_mail_taken_total",
			Help: "Mails taken in, by outcome (created, joined, reply, duplicate, ignored, bounce, failed)."}, []string{"outcome"}),
		intakeLag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "refunddesk_mail_intake_lag_seconds",
			Help: "How long the oldest mail of the last intake pass had waited, from its date to its ticket."}),
		intakePass: prometheus.NewGauge(prometheus.GaugeOpts{Name: "refunddesk_mail_intake_last_pass_timestamp_seconds",
			Help: "When the intake last finished a pass without an error (Unix time)."}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refunddesk_outbox_delivered_total",
			Help: "Outbox delivery attempts by channel and result (sent, retried, failed; lease_lost: a result dropped, or an item not sent, because its lease ran out)."}, []string{"channel", "result"}),
		followupsRun: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refunddesk_followups_run_total",
			Help: "Follow-ups handled by this instance, by result (done, cancelled, skipped)."}, []string{"result"}),
		interactions: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "refunddesk_discord_interaction_seconds",
			Help:    "Discord interactions: time from arrival to the first answer.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3}}),
		smtpOK: prometheus.NewGauge(prometheus.GaugeOpts{Name: "refunddesk_smtp_session_ok",
			Help: "1 when the latest of the mail sender's SMTP sessions to report (of up to mail.smtp.sessions) carried mail, 0 when it failed; /healthz says degraded only once they fail persistently."}),
		smtpFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refunddesk_smtp_session_failures_total",
			Help: "Failed SMTP sessions of the mail sender, by the stage that failed (connect, greeting, ehlo, starttls, auth, mail, rcpt, data, rset)."},
			[]string{"stage"}),
	}
	m.retentionRemoved, m.retentionRun = newRetentionMetrics()
	m.reg.MustRegister(m.retentionRemoved, m.retentionRun)
	for _, st := range mail.Stages {
		m.smtpFailures.WithLabelValues(string(st))
	}
	m.reg.MustRegister(m.mailTaken, m.intakeLag, m.intakePass, m.delivered, m.followupsRun, m.interactions, m.smtpOK, m.smtpFailures,
		&storeCollector{svc: svc, log: log}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) intake(st mail.IntakeStats, err error) {
	for outcome, n := range map[string]int{"created": st.Created, "joined": st.Joined, "received": st.Received, "reply": st.Replies,
		"duplicate": st.Duplicates, "ignored": st.Ignored, "bounce": st.Bounces, "failed": st.Failed} {
		m.mailTaken.WithLabelValues(outcome).Add(float64(n))
	}
	if err == nil {
		m.intakePass.SetToCurrentTime()
		if st.Fetched > 0 {
			m.intakeLag.Set(st.Lag.Seconds())
		}
	}
}

func (m *metrics) sent(ch tickets.Channel, st tickets.DeliveryStats) {
	m.delivered.WithLabelValues(string(ch), "sent").Add(float64(st.Sent))
	m.delivered.WithLabelValues(string(ch), "retried").Add(float64(st.Retried))
	m.delivered.WithLabelValues(string(ch), "failed").Add(float64(st.Failed))
	m.delivered.WithLabelValues(string(ch), "lease_lost").Add(float64(st.LeaseLost))
}

// smtpSession follows the mail sender's SMTP session.
func (m *metrics) smtpSession(st mail.SessionState) {
	if st.OK {
		m.smtpOK.Set(1)
		return
	}
	m.smtpOK.Set(0)
	m.smtpFailures.WithLabelValues(string(st.Stage)).Inc()
}

func (m *metrics) followups(st tickets.FollowupStats) {
	m.followupsRun.WithLabelValues("done").Add(float64(st.Done))
	m.followupsRun.WithLabelValues("cancelled").Add(float64(st.Cancelled))
	m.followupsRun.WithLabelValues("skipped").Add(float64(st.Skipped))
}

func (m *metrics) interaction(d time.Duration) { m.interactions.Observe(d.Seconds()) }

// storeCollector reads the store's counts at each scrape: they are the
// desk's, whichever instance is asked.
type storeCollector struct {
	svc *tickets.Service
	log *slog.Logger
}

var (
	descTickets   = prometheus.NewDesc("refunddesk_tickets", "Tickets by status.", []string{"status"}, nil)
	descOverdue   = prometheus.NewDesc("refunddesk_tickets_overdue", "Tickets waiting on agents past the first-response target.", nil, nil)
	descOutbox    = prometheus.NewDesc("refunddesk_outbox", "Outbox items not yet sent, or failed, by channel and status.", []string{"channel", "status"}, nil)
	descDue       = prometheus.NewDesc("refunddesk_followups_due", "Follow-ups whose time has come and that are not done yet, by kind.", []string{"kind"}, nil)
	descOldestDue = prometheus.NewDesc("refunddesk_followups_overdue_seconds", "How long the oldest due follow-up has waited past its time (0: none).", nil, nil)
	descFailures  = prometheus.NewDesc("refunddesk_inbound_failures", "Inbound items set aside (refunddesk mail failed).", nil, nil)
	descUp        = prometheus.NewDesc("refunddesk_store_up", "1 when the store answered the metrics' queries.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTickets, descOverdue, descOutbox, descDue, descOldestDue, descFailures, descUp} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.svc.Records.Stats(ctx)
	if err != nil {
		c.log.Warn("metrics: store counts", slog.Any("error", err))
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	for _, s := range tickets.Statuses {
		ch <- prometheus.MustNewConstMetric(descTickets, prometheus.GaugeValue, float64(st.TicketsByStatus[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(st.Overdue))
	for _, chn := range outboxChannels() {
		for _, status := range []string{tickets.OutboxPending, tickets.OutboxSending, tickets.OutboxFailed} {
			ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(st.Outbox[chn][status]), string(chn), status)
		}
	}
	for _, k := range tickets.FollowupKinds {
		ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(st.FollowupsDue[k]), string(k))
	}
	late := 0.0
	if !st.OldestDue.IsZero() {
		late = c.svc.Now().Sub(st.OldestDue).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(descOldestDue, prometheus.GaugeValue, late)
	ch <- prometheus.MustNewConstMetric(descFailures, prometheus.GaugeValue, float64(st.Failures))
}
