package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// platform is a chat platform's adapter as serve runs it. What else it can
// do (send prompts, edit them, post digests and alerts) is asked by type
// assertion: see capable.
type platform interface {
	Name() surveys.Platform
	Mount(mux *http.ServeMux, in surveys.Inbox) // verified inbound routes; may add none
	Receivers() []surveys.Receiver              // long-lived receivers; Exclusive ones run under one lock
	Limits() surveys.SendLimits
}

// platformEntry is one line of the platform list (platforms.go): which
// platform, the variable that turns it on, whether the configuration has
// its credentials, and how its adapter starts from the configuration.
type platformEntry struct {
	name surveys.Platform
	// credential is the variable an operator sets to turn the platform on,
	// named in every message about it being off.
	credential string
	configured func(*config.Config) bool
	start      func(ctx context.Context, cfg *config.Config, log *slog.Logger) (platform, error)
}

// platformList is the built-in list with env's extra entries (tests add a
// fake platform); an extra entry replaces a built-in one of the same name.
func platformList(env *environment) []platformEntry {
	var out []platformEntry
	for _, e := range builtinPlatforms() {
		replaced := false
		for _, x := range env.platforms {
			replaced = replaced || x.name == e.name
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return append(out, env.platforms...)
}

// adapters are the chat platforms this process talks to: each one that has
// credentials is started, and a failure to reach it stops serve with a
// message naming the variable to fix.
type adapters struct {
	list []platform
}

func startAdapters(ctx context.Context, cfg *config.Config, entries []platformEntry, log *slog.Logger) (*adapters, error) {
	a := &adapters{}
	for _, e := range entries {
		if !e.configured(cfg) {
			continue
		}
		p, err := e.start(ctx, cfg, log.With("platform", string(e.name)))
		if err != nil {
			return nil, err
		}
		if p.Name() != e.name {
			return nil, fmt.Errorf("the %s entry started an adapter for %s", e.name, p.Name())
		}
		a.list = append(a.list, p)
	}
	return a, nil
}

// running lists the adapters this process started, by platform.
func (a *adapters) running() map[surveys.Platform]any {
	out := map[surveys.Platform]any{}
	for _, p := range a.list {
		out[p.Name()] = p
	}
	return out
}

// capable lists the running adapters that have capability T (surveys.Sender,
// surveys.DigestPoster, surveys.AlertPoster, …), by platform.
func capable[T any](a *adapters) map[surveys.Platform]T {
	out := map[surveys.Platform]T{}
	for p, bot := range a.running() {
		if c, ok := bot.(T); ok {
			out[p] = c
		}
	}
	return out
}

// limits are the send limits each running adapter declares, for the
// delivery workers' shared limiter.
func (a *adapters) limits() map[surveys.Platform]surveys.SendLimits {
	out := map[surveys.Platform]surveys.SendLimits{}
	for _, p := range a.list {
		out[p.Name()] = p.Limits()
	}
	return out
}

// mount adds every adapter's inbound routes to mux; each adapter verifies
// its own requests before in sees anything.
func (a *adapters) mount(mux *http.ServeMux, in surveys.Inbox) {
	for _, p := range a.list {
		p.Mount(mux, in)
	}
}

// receive starts every adapter's receivers: exclusive ones on one replica
// at a time (storage's RunReceiver), the others here and now. The returned
// function waits (briefly) for them to stop after ctx ends.
func (a *adapters) receive(ctx context.Context, db *storage.DB, in surveys.Inbox, log *slog.Logger) (wait func()) {
	var running sync.WaitGroup
	for _, p := range a.list {
		for _, r := range p.Receivers() {
			rlog := log.With("platform", string(p.Name()), "receiver", r.Name)
			if r.Exclusive {
				running.Go(func() { db.RunReceiver(ctx, r, in, rlog) })
				continue
			}
			running.Go(func() {
				if err := r.Run(ctx, in); err != nil {
					rlog.Error("receiver stopped: answers and commands it carried no longer arrive", "err", err)
				}
			})
		}
	}
	return func() {
		stopped := make(chan struct{})
		go func() { running.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(2 * time.Second): // a long poll in flight ends by itself
		}
	}
}

// missingCredentials names every digest and alert whose platform has no
// credentials, and the variable to set: serve logs each at start, config
// check prints them.
func missingCredentials(cfg *config.Config, entries []platformEntry) []string {
	// off says why posts to p cannot happen and what to do; ok is false
	// when they can.
	off := func(p config.Platform) (why, fix string, ok bool) {
		for _, e := range entries {
			if string(e.name) == string(p) {
				if e.configured(cfg) {
					return "", "", false
				}
				return fmt.Sprintf("%s has no credentials", p), "; set " + e.credential, true
			}
		}
		return fmt.Sprintf("this build of vocbot has no %s adapter", p), "", true
	}
	var out []string
	for _, g := range cfg.Digests {
		if why, fix, ok := off(g.To.Platform); ok {
			out = append(out, fmt.Sprintf("digest %s posts to %s, but %s: it will not be posted%s", g.ID, g.To, why, fix))
		}
	}
	for _, a := range cfg.Alerts {
		if why, fix, ok := off(a.To.Platform); ok {
			out = append(out, fmt.Sprintf("alerts go to %s, but %s: they will not be posted%s", a.To, why, fix))
		}
	}
	return out
}
