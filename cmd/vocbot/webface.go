package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// answerKeyName names the key that signs web answer links in the database:
// made by the first replica that needs it, shared by all.
const answerKeyName = "web-answer-links"

// webFace builds the customer's web answer page and the dashboard's sign-in
// when VOCBOT_PUBLIC_URL says where people reach them (both nil without
// it: links need an absolute address), and gives the Engine its web links.
func webFace(ctx context.Context, cfg *config.Config, engine *surveys.Engine, store *storage.Store, log *slog.Logger) (*web.Answers, *web.SignIn, error) {
	if cfg.HTTP.PublicURL == "" {
		return nil, nil, nil
	}
	key, err := store.ServerSecret(ctx, answerKeyName)
	if err != nil {
		return nil, nil, fmt.Errorf("web answer links: %w (is the database migrated? run vocbot migrate)", err)
	}
	answers, err := web.NewAnswers(engine, key, cfg.HTTP.PublicURL, log)
	if err != nil {
		return nil, nil, err
	}
	engine.SetWebLinks(answers)
	signin, err := web.NewSignIn(store, cfg.HTTP.PublicURL, log)
	if err != nil {
		return nil, nil, err
	}
	return answers, signin, nil
}

// dashboardLinks is signin as the desk's DashboardLinks, or nil (a nil
// *web.SignIn in the interface would not read as "none").
func dashboardLinks(signin *web.SignIn) surveys.DashboardLinks {
	if signin == nil {
		return nil
	}
	return signin
}

// dashboardSessions is signin as the dashboard's Sessions, or nil: nobody
// gets past the sign-in page without VOCBOT_PUBLIC_URL (no links to sign in).
func dashboardSessions(signin *web.SignIn) web.Sessions {
	if signin == nil {
		return nil
	}
	return signin
}

// webLinkFallback is the web_link_fallback of cfg for the delivery
// workers, nil when it is not configured (config refuses it without its
// secret or VOCBOT_PUBLIC_URL). links makes the links once webFace has
// the key.
func webLinkFallback(cfg *config.Config, settings *surveys.Settings, links *lateWebLinks) (*storage.WebLinkFallback, error) {
	fb := cfg.WebLinkFallback
	if fb.URL == "" || cfg.HTTP.PublicURL == "" {
		return nil, nil
	}
	hook, err := web.NewWebLinkHook(fb.URL, fb.Key, nil)
	if err != nil {
		return nil, err
	}
	return &storage.WebLinkFallback{
		Eligible: func(surveyID string) bool {
			sv, ok := settings.Survey(surveyID)
			return ok && sv.WebLink
		},
		Link: links.WebURL,
		Hook: hook,
	}, nil
}

// lateWebLinks makes web links once set: the job queue is built before the
// web face, whose signing key lives in the database.
type lateWebLinks struct {
	mu    sync.RWMutex
	links surveys.WebLinks
}

func (l *lateWebLinks) set(a *web.Answers) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a != nil {
		l.links = a
	}
}

// WebURL is the link of inv, "" before set (the job retries).
func (l *lateWebLinks) WebURL(inv surveys.Invitation) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.links == nil {
		return ""
	}
	return l.links.WebURL(inv)
}
