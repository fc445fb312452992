package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// Signing in to the dashboard takes no password: an ambassador asks for a
// one-time link in chat (/survey dashboard) or an operator prints one
// (vocbot dashboard link). Opening it shows a button; pressing it spends
// the link and sets a session cookie. The button is there because chat
// apps and mail scanners open links to preview them: a GET that spent the
// link would sign a preview bot in and leave the person with a dead link.

// The sign-in routes.
const (
	signinPath  = "/signin/"
	signoutPath = "/signout"
)

// SessionCookie is the name of the dashboard's session cookie.
const SessionCookie = "vocbot_session"

// DefaultSessionTTL is how long a dashboard session lasts.
const DefaultSessionTTL = 12 * time.Hour

// SignInStore is what sign-in needs from storage. Tokens and session ids
// are credentials: the store keeps only their hashes.
type SignInStore interface {
	CreateSignInToken(ctx context.Context, who string, ttl time.Duration) (token string, expires time.Time, err error)
	SignInTokenValid(ctx context.Context, token string) (bool, error)
	// RedeemSignInToken spends token and opens a session; surveys.ErrNotFound
	// for a token unknown, used or expired.
	RedeemSignInToken(ctx context.Context, token string, ttl time.Duration) (session, who string, expires time.Time, err error)
	// SessionWho is who holds session; surveys.ErrNotFound if none.
	SessionWho(ctx context.Context, session string) (string, error)
	EndSession(ctx context.Context, session string) error
}

// SignIn issues sign-in links, serves them and tells a signed-in request
// from another (Valid).
type SignIn struct {
	store      SignInStore
	base       string
	origin     string
	secure     bool
	sessionTTL time.Duration
	log        *slog.Logger
}

var _ surveys.DashboardLinks = (*SignIn)(nil)

// NewSignIn signs people in with store. publicURL (VOCBOT_PUBLIC_URL) is
// where links point; the cookie is Secure when it is https.
func NewSignIn(store SignInStore, publicURL string, log *slog.Logger) (*SignIn, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, errors.New("dashboard sign-in: links need VOCBOT_PUBLIC_URL, an absolute URL such as https://vocbot.example.com")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SignIn{store: store, base: strings.TrimRight(publicURL, "/"), origin: u.Scheme + "://" + u.Host,
		secure: u.Scheme == "https", sessionTTL: DefaultSessionTTL, log: log}, nil
}

// SignInLink implements surveys.DashboardLinks: a one-time link for who,
// valid for ttl.
func (s *SignIn) SignInLink(ctx context.Context, who string, ttl time.Duration) (string, time.Time, error) {
	token, expires, err := s.store.CreateSignInToken(ctx, who, ttl)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.base + signinPath + token, expires, nil
}

// Mount adds the sign-in and sign-out routes to mux.
func (s *SignIn) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+signinPath+"{token}", s.confirm)
	mux.HandleFunc("POST "+signinPath+"{token}", s.signIn)
	mux.HandleFunc("POST "+signoutPath, s.signOut)
}

// Valid reports who is signed in on r, if anyone: a session cookie naming
// an open session.
func (s *SignIn) Valid(r *http.Request) (string, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return "", false
	}
	who, err := s.store.SessionWho(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, surveys.ErrNotFound) {
			s.log.ErrorContext(r.Context(), "check a dashboard session", "err", err)
		}
		return "", false
	}
	return who, true
}

// signinSpent tells how to get a new link: the page of a used or expired one.
const signinSpent = "This sign-in link was used already or has expired. Links work once, for 15 minutes. " +
	"Get a new one: type /survey dashboard in Slack, Discord or a private chat with the Telegram bot, " +
	"or, on the server, run vocbot dashboard link."

func (s *SignIn) confirm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ok, err := s.store.SignInTokenValid(r.Context(), token)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	if !ok {
		signinWrite(w, http.StatusGone, signinPage{Problem: signinSpent})
		return
	}
	signinWrite(w, http.StatusOK, signinPage{Action: signinPath + token})
}

func (s *SignIn) signIn(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r, s.origin) {
		signinWrite(w, http.StatusForbidden, signinPage{Problem: "This sign-in must be confirmed on its own page: open the link again."})
		return
	}
	session, _, expires, err := s.store.RedeemSignInToken(r.Context(), r.PathValue("token"), s.sessionTTL)
	if errors.Is(err, surveys.ErrNotFound) {
		signinWrite(w, http.StatusGone, signinPage{Problem: signinSpent})
		return
	}
	if err != nil {
		s.failed(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: session, Path: "/", Expires: expires,
		MaxAge: int(time.Until(expires).Seconds()), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *SignIn) signOut(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r, s.origin) {
		signinWrite(w, http.StatusForbidden, signinPage{Problem: "Sign out from the dashboard's own page."})
		return
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.store.EndSession(r.Context(), c.Value); err != nil {
			s.failed(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *SignIn) failed(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "dashboard sign-in failed", "err", err)
	signinWrite(w, http.StatusInternalServerError, signinPage{Problem: "Sorry, vocbot could not sign you in just now. Try again in a minute; if it keeps failing, ask your vocbot operator to look at the server's log."})
}

//go:embed signin_templates/*.html
var signinTemplateFiles embed.FS

var signinTemplates = template.Must(template.ParseFS(signinTemplateFiles, "signin_templates/*.html"))

type signinPage struct {
	Problem string
	Action  string
}

func signinWrite(w http.ResponseWriter, status int, p signinPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin") // the link is a credential; no-referrer would make the form post "Origin: null"
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = signinTemplates.ExecuteTemplate(w, "signin.html", p)
}
